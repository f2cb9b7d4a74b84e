package dev.keepsake.postgres;

import dev.keepsake.testkit.PostgresServer;
import dev.keepsake.testkit.TestDatabase;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** The local pg_dump as a test oracle (never used by the product). */
final class PgDump {

    static final Path BINARY = Path.of("/usr/bin/pg_dump");

    private PgDump() {
    }

    /** Whether the local pg_dump exists and can read this server (pg_dump reads servers up to its own major). */
    static boolean canDump(PostgresServer server) {
        return Files.isExecutable(BINARY) && server.majorVersion() <= localMajor();
    }

    static int localMajor() {
        try {
            Process p = new ProcessBuilder(BINARY.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            String version = out.replaceAll("(?s).*\\) (\\d+)\\..*", "$1").trim();
            return Integer.parseInt(version);
        } catch (IOException | RuntimeException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /**
     * Dumps the database in plain format with the given options, without the lines that differ between two dumps of
     * identical databases (version banners, the random {@code \restrict} keys of recent pg_dump releases).
     */
    static String dump(TestDatabase db, String... options) throws IOException, InterruptedException {
        PostgresServer s = db.server();
        List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "-h", s.host(), "-p", Integer.toString(s.port()),
                "-U", s.superuser(), "-d", db.name(), "--no-sync"));
        cmd.addAll(List.of(options));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PGPASSWORD", s.password() == null ? "" : s.password());
        Path out = Files.createTempFile("keepsake-pgdump", ".sql");
        Path err = Files.createTempFile("keepsake-pgdump", ".err");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("pg_dump did not finish within 5 minutes");
            }
            if (p.exitValue() != 0) {
                throw new IOException("pg_dump failed (" + p.exitValue() + "): " + Files.readString(err));
            }
            try (var lines = Files.lines(out, StandardCharsets.UTF_8)) {
                return lines.filter(l -> !l.startsWith("\\restrict ") && !l.startsWith("\\unrestrict ")
                                && !l.startsWith("-- Dumped from database version") && !l.startsWith("-- Dumped by pg_dump"))
                        .collect(Collectors.joining("\n"));
            }
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Schema only, like pg_dump --schema-only --no-owner --no-privileges. */
    static String schema(TestDatabase db) throws IOException, InterruptedException {
        return dump(db, "--schema-only", "--no-owner", "--no-privileges");
    }

    /** Schema and data (data in physical order, sequences with values). */
    static String everything(TestDatabase db) throws IOException, InterruptedException {
        return dump(db, "--no-owner", "--no-privileges");
    }
}
