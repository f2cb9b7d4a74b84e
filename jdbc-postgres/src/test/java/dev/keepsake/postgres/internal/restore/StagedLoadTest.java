package dev.keepsake.postgres.internal.restore;

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
}
