package dev.keepsake.benchmarks;

import dev.keepsake.testkit.PostgresServer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs PostgreSQL's own client tools (pg_dump, pg_restore, psql) of the server's major against the benchmark server,
 * as the reference Keepsake is compared with. Only the benchmark uses them; the product never does. Thread-safe.
 */
final class ReferenceTools {

    private final Path bin;
    private final PostgresServer server;
    private final Path logDirectory;

    private ReferenceTools(Path bin, PostgresServer server, Path logDirectory) {
        this.bin = bin;
        this.server = server;
        this.logDirectory = logDirectory;
    }

    /**
     * Finds the tools: the given directory, else {@code /usr/lib/postgresql/<server major>/bin}; pg_dump's major must
     * be the server's (an older pg_dump refuses a newer server, a newer one writes archives an older pg_restore
     * cannot read).
     */
    static ReferenceTools find(Optional<Path> configured, PostgresServer server, Path logDirectory)
            throws IOException, InterruptedException {
        Path bin = configured.orElse(Path.of("/usr/lib/postgresql", Integer.toString(server.majorVersion()), "bin"));
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("pg_dump", "pg_restore", "psql")) {
            if (!Files.isExecutable(bin.resolve(tool))) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            throw new IOException("The reference tools " + missing + " are not in " + bin + ": install the PostgreSQL "
                    + server.majorVersion() + " client (e.g. apt-get install postgresql-client-"
                    + server.majorVersion() + ") or name their directory with --pg-bin");
        }
        ReferenceTools tools = new ReferenceTools(bin, server, logDirectory);
        String version = tools.version("pg_dump");
        if (!version.matches(".*\\b" + server.majorVersion() + "\\.\\d+.*")) {
            throw new IOException(bin.resolve("pg_dump") + " is '" + version + "', not of the server's major "
                    + server.majorVersion() + ": name a matching directory with --pg-bin");
        }
        return tools;
    }

    String version(String tool) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(bin.resolve(tool).toString(), "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        return out;
    }

    Path directory() {
        return bin;
    }

    /** {@code pg_dump <options> -f output database}. */
    void dump(String database, Path output, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(tool("pg_dump"), "--no-password"));
        command.addAll(List.of(options));
        command.addAll(List.of("-f", output.toString(), database));
        run(command, "pg_dump", ProcessBuilder.Redirect.DISCARD);
    }

    /** {@code pg_restore <options> -d database input}. */
    void restore(String database, Path input, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(tool("pg_restore"), "--no-password"));
        command.addAll(List.of(options));
        command.addAll(List.of("-d", database, input.toString()));
        run(command, "pg_restore", ProcessBuilder.Redirect.DISCARD);
    }

    /** The tables' rows with {@code COPY ... TO STDOUT (FORMAT binary)} through psql, one session, to /dev/null. */
    void rawCopy(String database, List<String> tables) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(tool("psql"), "--no-password", "-X", "-q",
                "-v", "ON_ERROR_STOP=1", "-d", database));
        for (String table : tables) {
            command.addAll(List.of("-c", "COPY " + table + " TO STDOUT (FORMAT binary)"));
        }
        run(command, "psql", ProcessBuilder.Redirect.DISCARD);
    }

    private String tool(String name) {
        return bin.resolve(name).toString();
    }

    private void run(List<String> command, String name, ProcessBuilder.Redirect stdout)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile(logDirectory, name, ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(stdout).redirectError(log.toFile());
            Map<String, String> env = pb.environment();
            env.put("PGHOST", server.host());
            env.put("PGPORT", Integer.toString(server.port()));
            env.put("PGUSER", server.superuser());
            if (!server.password().isEmpty()) {
                env.put("PGPASSWORD", server.password());
            }
            env.put("PGCONNECT_TIMEOUT", "30");
            Process p = pb.start();
            int rc;
            try {
                rc = p.waitFor();
            } catch (InterruptedException e) {
                p.destroyForcibly();
                throw e;
            }
            if (rc != 0) {
                String err = Files.readString(log, StandardCharsets.UTF_8);
                throw new IOException(name + " failed with exit code " + rc + ": "
                        + (err.length() > 2000 ? err.substring(0, 2000) + "..." : err).trim());
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
