package dev.keepsake.postgres.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StagedLoadTest {

    @Test
    void theQualifiedNameOfAStageableCreateIsFoundWhetherQuotedOrNot() {
        String plain = "CREATE TABLE public.accounts (\n    id integer NOT NULL\n)";
        assertThat(StagedLoad.qualifiedNameEnd(plain, "public", "accounts"))
                .isEqualTo("CREATE TABLE public.accounts".length());
        String quoted = "CREATE TABLE \"My \"\"Schema\"\"\".\"Täble (1)\" (\n    id integer\n)";
        assertThat(StagedLoad.qualifiedNameEnd(quoted, "My \"Schema\"", "Täble (1)"))
                .isEqualTo(quoted.indexOf(" (\n"));
        assertThat(StagedLoad.qualifiedNameEnd("CREATE TABLE public.\"user\" (x integer)", "public", "user"))
                .isEqualTo("CREATE TABLE public.\"user\"".length());
    }

    @Test
    void aStatementForAnotherTableOrOfAnotherShapeIsNotStaged() {
        assertThat(StagedLoad.qualifiedNameEnd("CREATE TABLE public.b (x integer)", "public", "a")).isEqualTo(-1);
        assertThat(StagedLoad.qualifiedNameEnd("CREATE TABLE other.a (x integer)", "public", "a")).isEqualTo(-1);
        assertThat(StagedLoad.qualifiedNameEnd("CREATE UNLOGGED TABLE public.a (x integer)", "public", "a"))
                .isEqualTo(-1);
        assertThat(StagedLoad.qualifiedNameEnd("CREATE TABLE public.a OF public.t", "public", "a")).isEqualTo(-1);
        assertThat(StagedLoad.qualifiedNameEnd("CREATE TABLE public.ab (x integer)", "public", "a")).isEqualTo(-1);
        assertThat(StagedLoad.qualifiedNameEnd("CREATE TABLE \"public.a\" (x integer)", "public", "a")).isEqualTo(-1);
        assertThat(StagedLoad.qualifiedNameEnd("CREATE TABLE \"unterminated.a (x integer)", "public", "a"))
                .isEqualTo(-1);
        assertThat(StagedLoad.qualifiedNameEnd("CREATE TABLE public.A (x integer)", "public", "A")).isEqualTo(-1);
    }

    @Test
    void indexAndKeyStatementsAreMadeToActOnTheStagedCopyOnlyWhenTheyHaveTheKnownShape() {
        assertThat(StagedLoad.retarget("ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id)", "public",
                "t", "keepsake_staging_x_0")).isEqualTo("ALTER TABLE ONLY \"keepsake_staging_x_0\".\"t\" ADD CONSTRAINT"
                + " t_pkey PRIMARY KEY (id)");
        assertThat(StagedLoad.retarget("CREATE UNIQUE INDEX \"ON public.t USING \" ON \"My S\".t USING btree (a)",
                "My S", "t", "s")).isEqualTo("CREATE UNIQUE INDEX \"ON public.t USING \" ON \"s\".\"t\" USING btree"
                + " (a)");
        assertThat(StagedLoad.retarget("CREATE INDEX i ON public.t USING btree (a)", "public", "t", "s"))
                .isEqualTo("CREATE INDEX i ON \"s\".\"t\" USING btree (a)");
        assertThat(StagedLoad.retarget("CREATE INDEX i ON public.other USING btree (a)", "public", "t", "s")).isNull();
        assertThat(StagedLoad.retarget("CREATE INDEX i ON ONLY public.t USING btree (a)", "public", "t", "s")).isNull();
        assertThat(StagedLoad.retarget("ALTER TABLE public.t ADD CONSTRAINT c CHECK (a > 0)", "public", "t", "s"))
                .isNull();
        assertThat(StagedLoad.retarget("COMMENT ON INDEX public.i IS 'x'", "public", "t", "s")).isNull();
    }

    @Test
    void theLayout3TableListGivesFormatsAndCreateStatementsAndRefusesBadIndexes() {
        String header = BinaryCopy.TABLE_LIST_HEADER_STAGEABLE + "\n";
        BinaryCopy.TableList list = BinaryCopy.fromTableList(header
                + "data/000000\tpublic\ta\t8192\tbinary\t7\t3,4\n"
                + "data/000001\tpublic\tb\t8192\ttext\t-1\t-\n", 2, true, 10, 5);
        assertThat(list.binary().get(0)).isTrue();
        assertThat(list.binary().get(1)).isFalse();
        assertThat(list.createStatement()).containsExactly(7, -1);
        assertThat(list.stagedPost()[0]).containsExactly(3, 4);
        assertThat(list.stagedPost()[1]).isEmpty();
        assertThatThrownBy(() -> BinaryCopy.fromTableList(header + "data/000000\tpublic\ta\t1\tbinary\t1\t5\n", 1, true,
                10, 5)).hasMessage("line 2 gives the index statements '5' ('-', or indexes of post-data statements of a"
                + " stageable table, expected)");
        assertThatThrownBy(() -> BinaryCopy.fromTableList(header + "data/000000\tpublic\ta\t1\tbinary\t-1\t1\n", 1,
                true, 10, 5)).hasMessageContaining("gives the index statements '1'");

        assertThatThrownBy(() -> BinaryCopy.fromTableList(header + "data/000000\tpublic\ta\t1\tbinary\t10\t-\n", 1, true, 10, 5))
                .hasMessage("line 2 gives the create statement '10' (-1, or the index of a schema statement of a"
                        + " binary table, expected)");
        assertThatThrownBy(() -> BinaryCopy.fromTableList(header + "data/000000\tpublic\ta\t1\ttext\t3\t-\n", 1, true, 10, 5))
                .hasMessageContaining("gives the create statement '3'");
        assertThatThrownBy(() -> BinaryCopy.fromTableList(header + "data/000000\tpublic\ta\t1\tbinary\tx\t-\n", 1, true, 10, 5))
                .hasMessageContaining("gives the create statement 'x'");
        assertThatThrownBy(() -> BinaryCopy.fromTableList(header + "data/000000\tpublic\ta\t1\tbinary\n", 1, true, 10, 5))
                .hasMessage("line 2 is not the line of table 0");
        assertThatThrownBy(() -> BinaryCopy.fromTableList(BinaryCopy.TABLE_LIST_HEADER + "\n"
                + "data/000000\tpublic\ta\t1\tbinary\t1\t-\n", 1, true, 10, 5)).hasMessageContaining("its header is not");
    }
}
