package dev.keepsake.testkit;

import java.nio.file.Path;
import java.util.Properties;

/**
 * A server started by {@link PostgresLauncher}. {@link #close()} stops it (a fast shutdown: sessions are
 * disconnected, committed data stays in the data directory). Thread-safe; {@code close()} is idempotent.
 */
public interface RunningPostgres extends AutoCloseable {

    /** {@code jdbc:postgresql://127.0.0.1:port/database}, without credentials. */
    String jdbcUrl(String database);

    /** A new copy of {@code user} ({@code postgres}) and {@code password} (the server demands it). */
    Properties connectionProperties();

    /** The server's major version as it reports it. */
    int majorVersion();

    String host();

    int port();

    /** The launcher's directory (the cluster lives in its {@code pgdata} subdirectory). */
    Path directory();

    /** How the server was started, e.g. {@code embedded 15.19.0 (zonky, unshare -U) on 127.0.0.1:5433, ...}. */
    String description();

    /** Stops the server; its data stays. */
    @Override
    void close();
}
