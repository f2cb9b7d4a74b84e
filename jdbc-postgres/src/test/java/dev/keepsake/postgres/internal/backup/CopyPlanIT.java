package dev.keepsake.postgres.internal.backup;

import dev.keepsake.postgres.internal.ServerInfo;
import dev.keepsake.postgres.internal.copy.TableCopier;
import dev.keepsake.postgres.internal.schema.TableRef;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A table cut into block ranges is copied completely and exactly once, also while other sessions update and insert
 * rows (moving them to other blocks) and when the copies run on several connections sharing one snapshot.
 */
@ExtendWith(PostgresExtension.class)
class CopyPlanIT {

    private static final TableRef BIG = new TableRef("public", "big", 0, List.of("id", "pad"));

    @Test
    void rangesCoverEveryRowOfTheSnapshotExactlyOnceWhileWritersMoveRows(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE public.big (id integer, pad text);"
                + " INSERT INTO public.big SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 20000) g;"
                + " DELETE FROM public.big WHERE id % 7 = 0;"
                + " CREATE TABLE public.small (id integer)");
        try (Connection main = db.connect(); Connection other = db.connect(); Connection writer = db.connect()) {
            main.setAutoCommit(false);
            other.setAutoCommit(false);
            execute(main, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            String snapshot = single(main, "SELECT pg_catalog.pg_export_snapshot()");
            execute(other, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            execute(other, "SET TRANSACTION SNAPSHOT '" + snapshot + "'");
            List<String> expected = rows(main, TableCopier.copyOutSql(BIG, false));
            // after the snapshot: every row gets a new version elsewhere, and the table grows
            execute(writer, "UPDATE public.big SET pad = 'changed' WHERE id % 2 = 0");
            execute(writer, "INSERT INTO public.big SELECT g, 'new' FROM generate_series(20001, 30000) g");

            long bigBytes = Long.parseLong(single(main, "SELECT pg_catalog.pg_relation_size('public.big')"));
            List<TableRef> tables = List.of(new TableRef("public", "small", 8192, List.of("id")),
                    new TableRef("public", "big", bigBytes, BIG.columns()));
            List<CopyWork> plan = CopyPlan.plan(main, tables, serverMajor(main), 2, true, 64 * 1024);

            List<CopyWork> ranges = plan.stream().filter(w -> w.tableIndex() == 1).toList();
            assertThat(ranges).hasSizeGreaterThan(2).allSatisfy(w -> assertThat(w.range()).contains("ctid"));
            assertThat(plan).filteredOn(w -> w.tableIndex() == 0).singleElement()
                    .satisfies(w -> assertThat(w.range()).isNull());
            List<String> copied = new ArrayList<>();
            for (int i = 0; i < ranges.size(); i++) {
                Connection c = i % 2 == 0 ? main : other;
                copied.addAll(rows(c, TableCopier.copyOutSql(BIG, ranges.get(i).range(), false)));
            }
            assertThat(copied).hasSameSizeAs(expected).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(copied).noneMatch(r -> r.endsWith("\tchanged") || r.endsWith("\tnew"));
        }
    }

    @Test
    void tablesAreNotCutBeforePostgres14OrWithOneConnectionOrWhenRangesDoNotPayOff(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE public.big (id integer, pad text);"
                + " INSERT INTO public.big SELECT g, repeat('x', 500) FROM generate_series(1, 5000) g");
        try (Connection c = db.connect()) {
            List<TableRef> tables = List.of(new TableRef("public", "big", 3_000_000, BIG.columns()));

            assertThat(CopyPlan.plan(c, tables, serverMajor(c), 4, true, 64 * 1024)).hasSizeGreaterThan(1);
            assertThat(CopyPlan.plan(c, tables, 13, 4, true, 64 * 1024)).singleElement()
                    .satisfies(w -> assertThat(w.range()).isNull());
            assertThat(CopyPlan.plan(c, tables, serverMajor(c), 1, true, 64 * 1024)).singleElement()
                    .satisfies(w -> assertThat(w.range()).isNull());
            assertThat(CopyPlan.plan(c, tables, serverMajor(c), 4, true, CopyPlan.MIN_RANGE_BYTES)).singleElement()
                    .satisfies(w -> assertThat(w.range()).isNull());
            assertThat(CopyPlan.plan(c, tables, serverMajor(c), 4, false, 64 * 1024)).singleElement()
                    .satisfies(w -> assertThat(w.range()).isNull());
        }
    }

    @Test
    void rangesAreCutOnlyWhenTheServerHasCoresToSpare() {
        assertThat(CopyPlan.rangesPayOff(false, 2, 2)).as("server on another machine").isTrue();
        assertThat(CopyPlan.rangesPayOff(true, 2, 2)).as("server sharing 2 cores with 2 connections").isFalse();
        assertThat(CopyPlan.rangesPayOff(true, 2, 3)).isFalse();
        assertThat(CopyPlan.rangesPayOff(true, 2, 4)).as("2 cores per connection").isTrue();
        assertThat(CopyPlan.rangesPayOff(true, 4, 16)).isTrue();
    }

    @Test
    void theTestServerIsReachedOverLoopback(TestDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            assertThat(ServerInfo.read(c).loopback()).isTrue();
        }
    }

    private static int serverMajor(Connection c) throws SQLException {
        return Integer.parseInt(single(c, "SHOW server_version_num")) / 10000;
    }

    private static List<String> rows(Connection c, String copySql) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        c.unwrap(PGConnection.class).getCopyAPI().copyOut(copySql, out);
        String text = out.toString(StandardCharsets.UTF_8);
        return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n"));
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
