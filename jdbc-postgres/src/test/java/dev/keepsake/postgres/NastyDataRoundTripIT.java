package dev.keepsake.postgres;

import dev.keepsake.postgres.testing.RoundTripAssertion;
import dev.keepsake.core.OperationStatus;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.PostgresServer;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@ExtendWith(PostgresExtension.class)
class NastyDataRoundTripIT {

    @Test
    void nastyIdentifiersAndDataRoundTripExactlyThroughTheEngine(PostgresServer server, @TempDir Path dir)
            throws Exception {
        try (TestDatabase source = server.createDatabase("nasty_src");
             TestDatabase target = server.createDatabase("nasty_dst")) {
            NastyFixture.loadNasty(source);
            // small chunks: tables span many chunks, and the ~14 MB row gets a chunk of its own
            Path archive = EngineTransfer.backup(PostgresPart.builder().dataSource(source.dataSource())
                    .chunkSize(64 * 1024).parallelism(3).build(), dir.resolve("backup"));
            OperationStatus status = EngineTransfer.restore(PostgresPart.builder().dataSource(target.dataSource())
                    .build(), archive, dir.resolve("restore"));
            assertThat(status.succeeded()).as(status.statusMessage()).isTrue();

            RoundTripAssertion.assertSameContent(source.dataSource(), target.dataSource());
            assertThat(rowTexts(target)).isEqualTo(rowTexts(source)).hasSizeGreaterThan(8);
            assumeTrue(PgDump.canDump(server), "local pg_dump cannot read this server");
            assertThat(PgDump.everything(target)).isEqualTo(PgDump.everything(source));
        }
    }

    @Test
    void bytesOfTheAllByteValuesRowAndTheLargeTextSurviveUnchangedAlsoWithoutCopyFreeze(PostgresServer server,
                                                                                      @TempDir Path dir)
            throws Exception {
        try (TestDatabase source = server.createDatabase("nasty_src");
             TestDatabase target = server.createDatabase("nasty_dst")) {
            NastyFixture.loadNasty(source);
            Transfer.restore(PostgresPart.builder().dataSource(target.dataSource()).copyFreeze(false).build(),
                    Transfer.backup(PostgresPart.builder().dataSource(source.dataSource()).build(), dir));
            String q = "SELECT encode(b, 'hex') FROM " + NastyFixture.NASTY_TABLE + " WHERE t = 'all bytes'";
            String expectedHex = java.util.stream.IntStream.range(0, 256).mapToObj(i -> String.format("%02x", i))
                    .reduce("", String::concat);
            assertThat(single(target, q)).isEqualTo(expectedHex);
            String big = "SELECT md5(t) || length(t) FROM " + NastyFixture.NASTY_TABLE + " WHERE length(t) > 1000000";
            assertThat(single(target, big)).isEqualTo(single(source, big)).endsWith("8800000");
            String backslashN = "SELECT count(*) FROM " + NastyFixture.NASTY_TABLE + " WHERE t = E'\\\\N' AND e = E'\\\\N'";
            assertThat(single(target, backslashN)).isEqualTo("1");
            assertThat(single(target, "SELECT count(*) FROM " + NastyFixture.NASTY_TABLE + " WHERE t IS NULL"))
                    .isEqualTo("1");
        }
    }

    static String single(TestDatabase db, String sql) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Every row of the nasty table as text, in id order (ids are identity values, restored as they were). */
    private static java.util.List<String> rowTexts(TestDatabase db) throws Exception {
        java.util.List<String> rows = new java.util.ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("SET extra_float_digits = 3");
            try (ResultSet rs = st.executeQuery("SELECT md5(x::text) FROM " + NastyFixture.NASTY_TABLE + " x ORDER BY id")) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
        }
        return rows;
    }
}
