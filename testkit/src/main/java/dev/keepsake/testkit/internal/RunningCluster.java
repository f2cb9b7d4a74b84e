package dev.keepsake.testkit.internal;

/**
 * A PostgreSQL server obtained by one strategy. {@link #close()} gives it back: it stops what was started and
 * deletes throwaway directories; for a server given by the user it does nothing. Thread-safe; close is idempotent.
 */
public interface RunningCluster extends AutoCloseable {

    String host();

    int port();

    String superuser();

    /** The superuser's password; may be null when the server trusts loopback connections. */
    String password();

    /** The database to connect to for administration (creating and dropping test databases). */
    default String maintenanceDatabase() {
        return "postgres";
    }

    /** Extra JDBC URL parameters (starting with {@code ?}) or an empty string. */
    default String urlParameters() {
        return "";
    }

    /** How this server was obtained, e.g. {@code embedded 15.19 (zonky) on 127.0.0.1:54012}. */
    String description();

    @Override
    void close();
}
