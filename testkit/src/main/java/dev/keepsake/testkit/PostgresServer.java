package dev.keepsake.testkit;

import dev.keepsake.testkit.internal.DefaultMajor;
import dev.keepsake.testkit.internal.Provisioner;
import dev.keepsake.testkit.internal.RunningCluster;
import dev.keepsake.testkit.internal.Strategy;
import dev.keepsake.testkit.internal.TestkitSettings;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A running PostgreSQL server for tests: one per JVM and major version, started lazily on first use, reused by every
 * test, stopped and its directory deleted when the JVM exits.
 *
 * <p>How the server is obtained, in order: a server given by the user ({@code KEEPSAKE_TEST_JDBC_URL}); a Docker
 * engine through Testcontainers (when {@code org.testcontainers:postgresql} is on the class path); zonky's embedded
 * binaries (as root through {@code unshare -U}); the local {@code /usr/lib/postgresql/<major>/bin} run as an
 * unprivileged user. When none works, {@link PostgresUnavailableException} says what was tried and how to fix it.
 *
 * <p>Thread-safe.
 */
public final class PostgresServer {

    private static final Map<Object, Holder> SHARED = new ConcurrentHashMap<>();
    private static final String DEFAULT_KEY = "default";
    private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,39}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong COUNTER = new AtomicLong();
    private static volatile TestkitSettings settings;

    private final RunningCluster cluster;
    private final int serverVersionNum;
    private final String description;

    private PostgresServer(RunningCluster cluster, int serverVersionNum) {
        this.cluster = cluster;
        this.serverVersionNum = serverVersionNum;
        this.description = cluster.description() + ", PostgreSQL " + serverVersionNum / 10000 + "."
                + serverVersionNum % 10000;
    }

    /**
     * The shared server of the default major: that of {@code keepsake.testkit.postgres.major} /
     * {@code KEEPSAKE_TEST_POSTGRES_MAJOR}, else of the local {@code pg_dump} when installed, else 15. A server given
     * by {@code KEEPSAKE_TEST_JDBC_URL} is used whatever its major.
     *
     * @throws PostgresUnavailableException when no server can be obtained
     */
    public static PostgresServer shared() {
        TestkitSettings s = settings();
        if (s.jdbcUrl().isPresent() && s.strategies().contains(Strategy.JDBC_URL)) {
            return SHARED.computeIfAbsent(DEFAULT_KEY, k -> new Holder(DefaultMajor.of(s), false)).get();
        }
        return shared(DefaultMajor.of(s));
    }

    /**
     * The shared server of one major version.
     *
     * @param major 13..18
     * @throws IllegalArgumentException     for an unsupported major
     * @throws PostgresUnavailableException when no server of that major can be obtained
     */
    public static PostgresServer shared(int major) {
        if (major < TestkitSettings.MIN_MAJOR || major > TestkitSettings.MAX_MAJOR) {
            throw new IllegalArgumentException("PostgreSQL major " + major + " is not supported: choose "
                    + TestkitSettings.MIN_MAJOR + ".." + TestkitSettings.MAX_MAJOR);
        }
        return SHARED.computeIfAbsent(major, k -> new Holder(major, true)).get();
    }

    private static TestkitSettings settings() {
        TestkitSettings s = settings;
        if (s == null) {
            s = TestkitSettings.fromEnvironment();
            settings = s;
        }
        return s;
    }

    /** The server's major version, as the server reports it ({@code server_version_num / 10000}). */
    public int majorVersion() {
        return serverVersionNum / 10000;
    }

    /** The server's {@code server_version_num}, e.g. {@code 150019}. */
    public int serverVersionNum() {
        return serverVersionNum;
    }

    public String host() {
        return cluster.host();
    }

    public int port() {
        return cluster.port();
    }

    /** The server's administrative role (a superuser for servers the testkit starts). */
    public String superuser() {
        return cluster.superuser();
    }

    /**
     * The administrative role's password. Servers the testkit starts accept loopback connections without one
     * ({@code trust}); this then returns an empty string.
     */
    public String password() {
        return cluster.password() == null ? "" : cluster.password();
    }

    /** {@code jdbc:postgresql://host:port/database}, without credentials (see {@link #connectionProperties()}). */
    public String jdbcUrl(String database) {
        return Provisioner.jdbcUrl(cluster, database);
    }

    /** A new copy of {@code user} and {@code password} for {@link java.sql.DriverManager}. */
    public Properties connectionProperties() {
        return Provisioner.connectionProperties(cluster);
    }

    /** A new connection to a database of this server as the administrative role; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), connectionProperties());
    }

    /** A fresh, uniquely named database (created from {@code template0}); close it to drop it. */
    public TestDatabase createDatabase() {
        return createDatabase("test");
    }

    /**
     * A fresh database whose name starts with {@code prefix}.
     *
     * @param prefix lower-case letters, digits and underscores, starting with a letter, at most 40 characters
     */
    public TestDatabase createDatabase(String prefix) {
        if (prefix == null || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("Database prefix '" + prefix + "' is invalid: use 1-40 lower-case "
                    + "letters, digits or underscores, starting with a letter");
        }
        String name = prefix + "_" + Long.toString(COUNTER.incrementAndGet(), 36) + "_"
                + Long.toString(RANDOM.nextLong() & 0xFFFFFFFFFFL, 36);
        try (Connection connection = connect(cluster.maintenanceDatabase());
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + quoteIdentifier(name) + " TEMPLATE template0");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create test database " + name + " on " + description + ": "
                    + e.getMessage(), e);
        }
        return new TestDatabase(this, name);
    }

    String maintenanceDatabase() {
        return cluster.maintenanceDatabase();
    }

    /** How the server was obtained, e.g. {@code embedded 15.19.0 (zonky, unshare -U) on 127.0.0.1:54012, ...}. */
    public String description() {
        return description;
    }

    @Override
    public String toString() {
        return "PostgresServer[" + description + "]";
    }

    static String quoteIdentifier(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** Lazily obtains one server and stops it at JVM exit; remembers a failure so it is reported, not retried. */
    private static final class Holder {
        private final int major;
        private final boolean explicit;
        private PostgresServer server;
        private RuntimeException failure;

        Holder(int major, boolean explicit) {
            this.major = major;
            this.explicit = explicit;
        }

        synchronized PostgresServer get() {
            if (server != null) {
                return server;
            }
            if (failure != null) {
                throw failure;
            }
            try {
                Provisioner.Provisioned provisioned = Provisioner.provision(major, explicit, settings());
                RunningCluster cluster = provisioned.cluster();
                Thread stopper = new Thread(cluster::close,
                        "keepsake-testkit-stop-pg" + provisioned.major() + "-" + cluster.port());
                Runtime.getRuntime().addShutdownHook(stopper);
                server = new PostgresServer(cluster, provisioned.serverVersionNum());
                return server;
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }
    }

    static String sanitizePrefix(String text) {
        String prefix = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (prefix.isEmpty() || !Character.isLetter(prefix.charAt(0))) {
            prefix = "t" + prefix;
        }
        return prefix.length() > 40 ? prefix.substring(0, 40) : prefix;
    }
}
