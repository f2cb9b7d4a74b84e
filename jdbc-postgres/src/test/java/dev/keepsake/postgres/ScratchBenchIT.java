package dev.keepsake.postgres;

import dev.keepsake.core.OperationStatus;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.PostgresServer;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

@ExtendWith(PostgresExtension.class)
class ScratchBenchIT {
    static long run(PostgresServer s, List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().put("PGPASSWORD", s.password() == null ? "" : s.password());
        long t0 = System.nanoTime();
        int rc = pb.start().waitFor();
        if (rc != 0) throw new IllegalStateException("rc " + rc + " " + cmd);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void bench(PostgresServer server, @TempDir Path dir) throws Exception {
        try (TestDatabase source = server.createDatabase("b_src")) {
            source.execute("CREATE TABLE wide (id bigint PRIMARY KEY, t text, j jsonb, n numeric, at timestamptz, arr int[], b bytea);"
                    + " INSERT INTO wide SELECT g, md5(g::text) || md5(random()::text) || md5(random()::text), "
                    + " jsonb_build_object('g', g, 'h', md5(g::text), 'r', random()), random() * 1e6, now() - random() * interval '1000 days',"
                    + " ARRAY[g, g+1, (random()*1000)::int], decode(md5(random()::text) || md5(random()::text), 'hex')"
                    + " FROM generate_series(1, 1500000) g;"
                    + " CREATE INDEX ON wide (at); CREATE TABLE narrow (id integer PRIMARY KEY, v integer, f float8);"
                    + " INSERT INTO narrow SELECT g, (random()*1e6)::int, random() FROM generate_series(1, 3000000) g");
            System.out.println("SIZE " + NastyDataRoundTripIT.single(source, "SELECT pg_size_pretty(pg_database_size(current_database()))"));
            List<String> conn = List.of("-h", server.host(), "-p", Integer.toString(server.port()), "-U", server.superuser());
            for (int round = 0; round < 1; round++) {
                Path r = dir.resolve("r" + round);
                Files.createDirectories(r);
                long dumpFc = run(server, concat(List.of("/usr/bin/pg_dump", "-Fc", "-f", r.resolve("d.fc").toString()), conn, List.of(source.name())));
                long dumpDir = run(server, concat(List.of("/usr/bin/pg_dump", "-Fd", "-j2", "-Z1", "-f", r.resolve("d.dir").toString()), conn, List.of(source.name())));
                long t0 = System.nanoTime();
                Path archive = EngineTransfer.backup(PostgresPart.builder().dataSource(source.dataSource()).build(), r.resolve("ks"));
                long ours = (System.nanoTime() - t0) / 1_000_000;
                long restoreOurs;
                long restoreSingle;
                try (TestDatabase t1 = server.createDatabase("b_t1"); TestDatabase t2 = server.createDatabase("b_t2")) {
                    t0 = System.nanoTime();
                    OperationStatus st = EngineTransfer.restore(PostgresPart.builder().dataSource(t1.dataSource()).build(), archive, r.resolve("rs"));
                    restoreOurs = (System.nanoTime() - t0) / 1_000_000;
                    if (!st.succeeded()) throw new IllegalStateException(st.statusMessage());
                    restoreSingle = run(server, concat(List.of("/usr/bin/pg_restore", "--single-transaction", "-d", t2.name()), conn, List.of(r.resolve("d.fc").toString())));
                }
                System.out.printf("BENCH round %d: pg_dump -Fc %d ms, pg_dump -Fd -j2 -Z1 %d ms, keepsake backup %d ms (archive %d MB, fc %d MB) | keepsake restore %d ms, pg_restore --single-transaction %d ms%n",
                        round, dumpFc, dumpDir, ours, Files.size(archive) >> 20, Files.size(r.resolve("d.fc")) >> 20, restoreOurs, restoreSingle);
            }
        }
    }

    @SafeVarargs
    static List<String> concat(List<String>... lists) {
        return java.util.Arrays.stream(lists).flatMap(List::stream).toList();
    }
}
