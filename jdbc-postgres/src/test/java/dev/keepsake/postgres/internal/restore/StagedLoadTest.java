package dev.keepsake.postgres.internal.restore;

import dev.keepsake.postgres.internal.PartSettings;
import dev.keepsake.postgres.internal.schema.SchemaScope;
import dev.keepsake.postgres.internal.schema.SchemaScript;
import dev.keepsake.postgres.internal.schema.StagedBuild;
import dev.keepsake.postgres.internal.schema.TableDdl;
import dev.keepsake.postgres.internal.schema.TableRef;
import dev.keepsake.postgres.spi.SchemaVersionProvider;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** Which tables a restore stages, and the statements the schema model renders for their staging copies. */
class StagedLoadTest {

    private static final TableDdl CREATE_A = new TableDdl("CREATE TABLE ", " (\n    \"id\" integer NOT NULL\n)");
    private static final TableDdl KEY_A = new TableDdl("ALTER TABLE ONLY ", " ADD CONSTRAINT \"a_pkey\" PRIMARY KEY (id)");
    private static final TableDdl INDEX_A = new TableDdl("CREATE INDEX a_id ON ", " USING btree (id)");
    private static final TableDdl CREATE_B = new TableDdl("CREATE TABLE ", " (\"x\" text)");
    private static final TableDdl CREATE_ODD = new TableDdl("CREATE TABLE ", " (\"y\" bigint)");

    /**
     * Tables a (big, a key and an index), b (small), "Odd ""Table""" in schema "My Schema" (big), text_only (big, a
     * staged build, but backed up in text format) and plain (big, no staged build), all but text_only in binary.
     */
    private static SchemaScript script() {
        List<String> pre = List.of("SELECT pg_catalog.set_config('search_path', '', true)",
                CREATE_A.on("public", "a"), CREATE_B.on("public", "b"), CREATE_ODD.on("My Schema", "Odd \"Table\""),
                CREATE_B.on("public", "text_only"), "CREATE TABLE public.plain (z public.mood)");
        List<String> post = List.of("SELECT pg_catalog.setval('public.s', 1, true)", KEY_A.on("public", "a"),
                INDEX_A.on("public", "a"), "CREATE INDEX plain_z ON public.plain USING btree (z)");
        List<TableRef> tables = List.of(
                table("public", "a", 1000, new StagedBuild(1, CREATE_A, new TreeMap<>(Map.of(1, KEY_A, 2, INDEX_A)))),
                table("public", "b", 10, new StagedBuild(2, CREATE_B, new TreeMap<>())),
                table("My Schema", "Odd \"Table\"", 2000, new StagedBuild(3, CREATE_ODD, new TreeMap<>())),
                table("public", "text_only", 1000, new StagedBuild(4, CREATE_B, new TreeMap<>())),
                table("public", "plain", 1000, null));
        return new SchemaScript(150004, List.of("public", "My Schema"), List.of(), pre, tables, post, Map.of());
    }

    private static TableRef table(String schema, String name, long bytes, StagedBuild build) {
        return new TableRef(schema, name, bytes, List.of("id"), build);
    }

    private static BitSet allBinaryButTextOnly() {
        BitSet binary = new BitSet();
        binary.set(0, 5);
        binary.clear(3);
        return binary;
    }

    private static PartSettings settings(int restoreParallelism, long stagingMinBytes) {
        return new PartSettings(() -> {
            throw new SQLException("planning opens no connection");
        }, "postgres", SchemaScope.all(), 2, 1 << 20, SchemaVersionProvider.none(), 64, Duration.ofMinutes(1), true,
                true, restoreParallelism, stagingMinBytes);
    }

    @Test
    void theBigBinaryTablesWithAStagedBuildAreStagedAndTheirStatementsRenderedForTheirStagingSchemas() {
        StagedLoad staged = StagedLoad.plan(settings(2, 100), "op", script(), allBinaryButTextOnly());

        assertThat(staged).isNotNull();
        assertThat(staged.stagedTables()).isEqualTo(2);
        assertThat(staged.connections()).isEqualTo(2);
        assertThat(staged.schemaNames()).hasSize(2)
                .allSatisfy(s -> assertThat(s).matches("keepsake_staging_[0-9a-f]{12}_[01]"));
        String forA = staged.stagingSchema(script().tables().get(0));
        String forOdd = staged.stagingSchema(script().tables().get(2));
        assertThat(forA).isNotEqualTo(forOdd);

        assertThat(staged.createStatement(0)).isEqualTo("CREATE TABLE \"" + forA + "\".\"a\" (\n    \"id\" integer"
                + " NOT NULL\n)");
        assertThat(staged.createStatement(2)).isEqualTo("CREATE TABLE \"" + forOdd + "\".\"Odd \"\"Table\"\"\""
                + " (\"y\" bigint)");
        assertThat(staged.indexStatements(0)).containsExactly(
                "ALTER TABLE ONLY \"" + forA + "\".\"a\" ADD CONSTRAINT \"a_pkey\" PRIMARY KEY (id)",
                "CREATE INDEX a_id ON \"" + forA + "\".\"a\" USING btree (id)");
        assertThat(staged.indexStatements(2)).isEmpty();

        // the restore's transaction moves the staged tables where the script creates them, and skips their indexes
        assertThat(staged.statementFor(1)).isEqualTo("ALTER TABLE \"" + forA + "\".\"a\" SET SCHEMA \"public\"");
        assertThat(staged.statementFor(3)).isEqualTo("ALTER TABLE \"" + forOdd + "\".\"Odd \"\"Table\"\"\""
                + " SET SCHEMA \"My Schema\"");
        assertThat(staged.statementFor(0)).isNull();
        assertThat(staged.statementFor(2)).as("b is below the threshold").isNull();
        assertThat(staged.statementFor(4)).as("text_only is in text format").isNull();
        assertThat(staged.statementFor(5)).as("plain has no staged build").isNull();
        assertThat(staged.ranOnStagedTable(1)).isTrue();
        assertThat(staged.ranOnStagedTable(2)).isTrue();
        assertThat(staged.ranOnStagedTable(0)).isFalse();
        assertThat(staged.ranOnStagedTable(3)).isFalse();
    }

    @Test
    void everyTableThatAllowsItIsStagedWithAThresholdOfZeroOnAsManyConnectionsAsAsked() {
        StagedLoad staged = StagedLoad.plan(settings(8, 0), "op", script(), allBinaryButTextOnly());

        assertThat(staged.stagedTables()).isEqualTo(3);
        assertThat(staged.connections()).as("one per staged table at most").isEqualTo(3);
        assertThat(staged.statementFor(2)).startsWith("ALTER TABLE \"keepsake_staging_").endsWith("\".\"b\" SET SCHEMA"
                + " \"public\"");
    }

    @Test
    void nothingIsStagedWithOneConnectionOrWhenNoTableQualifies() {
        assertThat(StagedLoad.plan(settings(1, 0), "op", script(), allBinaryButTextOnly())).isNull();
        assertThat(StagedLoad.plan(settings(2, 1 << 20), "op", script(), allBinaryButTextOnly())).isNull();
        assertThat(StagedLoad.plan(settings(2, 0), "op", script(), new BitSet())).as("all text").isNull();
    }
}
