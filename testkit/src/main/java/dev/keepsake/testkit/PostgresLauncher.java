package dev.keepsake.testkit;

import dev.keepsake.testkit.internal.ClusterSpec;
import dev.keepsake.testkit.internal.DefaultMajor;
import dev.keepsake.testkit.internal.PasswordAuthentication;
import dev.keepsake.testkit.internal.PersistentClusters;
import dev.keepsake.testkit.internal.Provisioner;
import dev.keepsake.testkit.internal.RunningCluster;
import dev.keepsake.testkit.internal.TestkitSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Starts a PostgreSQL server on a persistent directory that survives restarts, for the demo's embedded default: the
 * cluster is initialised when the directory is empty and reused when it holds one. Unlike the test servers it is
 * crash-safe ({@code fsync}, {@code synchronous_commit} and {@code full_page_writes} on), listens on 127.0.0.1 only
 * and accepts only password (SCRAM) logins: the superuser {@code postgres} gets a random password, kept in the
 * directory's {@code superuser.password} file (owner-only) and returned by
 * {@link RunningPostgres#connectionProperties()}. Works as root (zonky binaries under {@code unshare -U}, else
 * local binaries run as an unprivileged user). A JVM shutdown hook stops a server that was not closed.
 *
 * <p>Immutable and thread-safe; each {@link #start()} starts a server (a directory serves one server at a time).
 */
public final class PostgresLauncher {

    static final String CLUSTER_DIRECTORY = "pgdata";
    static final String PASSWORD_FILE = "superuser.password";

    private final int major;
    private final Path directory;
    private final int port;

    private PostgresLauncher(int major, Path directory, int port) {
        this.major = major;
        this.directory = directory;
        this.port = port;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int major() {
        return major;
    }

    public Path directory() {
        return directory;
    }

    /** The configured port; 0 means a free loopback port is chosen at each start. */
    public int port() {
        return port;
    }

    /**
     * Starts the server, initialising the cluster first when the directory holds none.
     *
     * @throws IOException when the directory holds something else, a cluster of another major, or no strategy can
     *                     start a server (the message lists what was tried)
     */
    public RunningPostgres start() throws IOException {
        Files.createDirectories(directory);
        Path data = directory.resolve(CLUSTER_DIRECTORY);
        checkDirectory(data);
        Path passwordFile = directory.resolve(PASSWORD_FILE);
        if (!Files.exists(passwordFile) && Files.isRegularFile(data.resolve("PG_VERSION"))
                && PasswordAuthentication.enforcedIn(data)) {
            throw new IOException("The superuser password file " + passwordFile + " is missing, so the cluster in "
                    + data + " cannot be entered: restore that file or delete " + directory);
        }
        String password = PasswordAuthentication.readOrCreate(passwordFile);
        int actualPort = port == 0 ? Provisioner.freeLoopbackPort() : port;
        ClusterSpec spec = new ClusterSpec(major, data, directory, actualPort, ClusterSpec.durableSettings(actualPort),
                true, password);
        RunningCluster cluster = PersistentClusters.start(spec, TestkitSettings.fromEnvironment());
        int version;
        try {
            version = Provisioner.serverVersionNum(cluster);
        } catch (SQLException e) {
            cluster.close();
            throw new IOException("PostgreSQL started in " + directory + " but does not answer: " + e.getMessage(), e);
        }
        return new Running(cluster, version, directory);
    }

    private void checkDirectory(Path data) throws IOException {
        List<String> unexpected = new ArrayList<>();
        try (Stream<Path> entries = Files.list(directory)) {
            entries.map(p -> p.getFileName().toString())
                    .filter(name -> !name.equals(CLUSTER_DIRECTORY) && !name.equals(PASSWORD_FILE)
                            && !name.endsWith(".log"))
                    .forEach(unexpected::add);
        }
        if (!unexpected.isEmpty()) {
            throw new IOException(directory + " is not a Keepsake PostgreSQL directory (it holds " + unexpected
                    + "): choose an empty or new directory");
        }
        Path versionFile = data.resolve("PG_VERSION");
        if (Files.isRegularFile(versionFile)) {
            String existing = Files.readString(versionFile, StandardCharsets.US_ASCII).trim();
            if (!existing.equals(Integer.toString(major))) {
                throw new IOException("The cluster in " + data + " was initialised by PostgreSQL " + existing
                        + " and cannot be started with PostgreSQL " + major + ": choose major " + existing
                        + " or another directory");
            }
        } else if (Files.isDirectory(data)) {
            try (Stream<Path> entries = Files.list(data)) {
                List<String> leftovers = entries.map(p -> p.getFileName().toString())
                        .filter(name -> !name.equals("epg-lock")).toList();
                if (!leftovers.isEmpty()) {
                    throw new IOException(data + " holds files but no PostgreSQL cluster (no PG_VERSION; "
                            + "an interrupted initialisation?): delete it or choose another directory");
                }
            }
        }
    }

    /** Builds a {@link PostgresLauncher}; validates everything in {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private Integer major;
        private Path dataDirectory;
        private int port;

        private Builder() {
        }

        /** PostgreSQL major, 13..18; default: that of the local {@code pg_dump}, else 15. */
        public Builder major(int major) {
            this.major = major;
            return this;
        }

        /** The persistent directory (required); the cluster lives in its {@code pgdata} subdirectory. */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = dataDirectory;
            return this;
        }

        /** TCP port on 127.0.0.1; 0 (default) picks a free one at each start. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public PostgresLauncher build() {
            List<String> problems = new ArrayList<>();
            int m = major != null ? major : DefaultMajor.of(TestkitSettings.fromEnvironment());
            if (m < TestkitSettings.MIN_MAJOR || m > TestkitSettings.MAX_MAJOR) {
                problems.add("major " + m + " is not supported (choose " + TestkitSettings.MIN_MAJOR + ".."
                        + TestkitSettings.MAX_MAJOR + ")");
            }
            if (dataDirectory == null) {
                problems.add("dataDirectory is required");
            }
            if (port < 0 || port > 65535) {
                problems.add("port " + port + " is not a TCP port (use 0 for a free one)");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("Invalid PostgresLauncher: " + String.join("; ", problems));
            }
            return new PostgresLauncher(m, dataDirectory.toAbsolutePath().normalize(), port);
        }
    }

    private static final class Running implements RunningPostgres {
        private final RunningCluster cluster;
        private final int serverVersionNum;
        private final Path directory;
        private final Thread shutdownHook;
        private final AtomicBoolean closed = new AtomicBoolean();

        Running(RunningCluster cluster, int serverVersionNum, Path directory) {
            this.cluster = cluster;
            this.serverVersionNum = serverVersionNum;
            this.directory = directory;
            this.shutdownHook = new Thread(cluster::close, "keepsake-postgres-launcher-stop-" + cluster.port());
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }

        @Override
        public String jdbcUrl(String database) {
            return Provisioner.jdbcUrl(cluster, database);
        }

        @Override
        public Properties connectionProperties() {
            return Provisioner.connectionProperties(cluster);
        }

        @Override
        public int majorVersion() {
            return serverVersionNum / 10000;
        }

        @Override
        public String host() {
            return cluster.host();
        }

        @Override
        public int port() {
            return cluster.port();
        }

        @Override
        public Path directory() {
            return directory;
        }

        @Override
        public String description() {
            return cluster.description();
        }

        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs anyway, and close is idempotent
            }
            cluster.close();
        }

        @Override
        public String toString() {
            return "RunningPostgres[" + description() + "]";
        }
    }
}
