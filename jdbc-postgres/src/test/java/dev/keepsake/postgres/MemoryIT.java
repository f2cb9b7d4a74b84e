package dev.keepsake.postgres;

import dev.keepsake.postgres.testing.internal.DatabaseContent;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.PostgresServer;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backup and a restore of a database about ten times larger than the heap: ≥ 500 MB of table data (made by the
 * server with generate_series) through the real engine in a child JVM with -Xmx64m.
 */
@ExtendWith(PostgresExtension.class)
class MemoryIT {

    private static final Logger LOG = LoggerFactory.getLogger(MemoryIT.class);

    @Test
    void backupAndRestoreOfHalfAGigabyteSucceedInA64MegabyteHeap(PostgresServer server, @TempDir Path dir)
            throws Exception {
        try (TestDatabase source = server.createDatabase("mem_src");
             TestDatabase target = server.createDatabase("mem_dst")) {
            source.execute("CREATE TABLE wide (id bigint PRIMARY KEY, t text, j jsonb, n numeric, at timestamptz);"
                    + " INSERT INTO wide SELECT g, md5(g::text) || repeat(md5((g * 7)::text), 12), "
                    + " jsonb_build_object('g', g, 'h', md5(g::text)), g / 7.0, timestamptz '2020-01-01' + g * interval '1 s'"
                    + " FROM generate_series(1, 700000) g;"
                    + " CREATE TABLE blobs (id integer PRIMARY KEY, b bytea);"
                    + " INSERT INTO blobs SELECT g, decode(repeat(md5(g::text), 64), 'hex') FROM generate_series(1, 100000) g");
            long bytes = Long.parseLong(NastyDataRoundTripIT.single(source,
                    "SELECT sum(pg_total_relation_size(c)) FROM unnest(ARRAY['wide'::regclass, 'blobs'::regclass]) c"));
            assertThat(bytes).as("table data on disk").isGreaterThan(500L * 1024 * 1024);

            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-cp", classPath, MemoryProbe.class.getName(),
                    dir.toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("probe.log").toFile());
            pb.environment().put("KEEPSAKE_PROBE_SOURCE_URL", source.jdbcUrl());
            pb.environment().put("KEEPSAKE_PROBE_TARGET_URL", target.jdbcUrl());
            pb.environment().put("KEEPSAKE_PROBE_USER", server.superuser());
            pb.environment().put("KEEPSAKE_PROBE_PASSWORD", server.password() == null ? "" : server.password());
            Process p = pb.start();
            boolean finished = p.waitFor(15, TimeUnit.MINUTES);
            if (!finished) {
                p.destroyForcibly();
            }
            String log = Files.readString(dir.resolve("probe.log"), StandardCharsets.UTF_8);
            assertThat(finished).as("probe finished").isTrue();
            assertThat(p.exitValue()).as("probe exit code; output:%n%s", log).isZero();
            LOG.info("{} MB of table data with -Xmx64m: {}", bytes >> 20,
                    log.lines().filter(l -> l.startsWith("backup_ms=")).findFirst().orElse(log));

            try (Connection s = source.connect(); Connection t = target.connect()) {
                assertThat(DatabaseContent.read(t, true)).isEqualTo(DatabaseContent.read(s, true));
            }
        }
    }

}
