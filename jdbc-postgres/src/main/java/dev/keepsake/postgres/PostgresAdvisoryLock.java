package dev.keepsake.postgres;

import dev.keepsake.core.InvalidConfigurationException;
import dev.keepsake.core.spi.OperationLock;
import dev.keepsake.postgres.internal.ConnectionSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * A cluster-wide {@link OperationLock} on a PostgreSQL session-level advisory lock: every replica of a service that
 * shares the database uses the same key, so at most one of them runs a backup or restore at a time.
 *
 * <p>A lease holds a dedicated connection for its whole life (the lock belongs to that session); closing the lease
 * unlocks and closes it. If that connection breaks, the server releases the lock — run the engine's operations on a
 * network where idle connections survive, or keep TCP keep-alive on in the data source.
 *
 * <p><b>Thread-safe.</b>
 */
public final class PostgresAdvisoryLock implements OperationLock {

    /** The default key: the ASCII bytes of {@code keepsake} as a bigint. */
    public static final long DEFAULT_KEY = 0x6b65657073616b65L;

    private static final Logger LOG = LoggerFactory.getLogger(PostgresAdvisoryLock.class);

    private final ConnectionSource connections;
    private final long key;

    private PostgresAdvisoryLock(ConnectionSource connections, long key) {
        this.connections = connections;
        this.key = key;
    }

    /** A new builder; the connection is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The advisory lock key. */
    public long key() {
        return key;
    }

    @Override
    public Optional<Lease> tryAcquire(String operationId) throws IOException {
        Connection c = null;
        boolean leased = false;
        try {
            c = connections.open();
            c.setAutoCommit(true);
            try (PreparedStatement app = c.prepareStatement("SELECT pg_catalog.set_config('application_name', ?, false)")) {
                app.setString(1, "keepsake lock " + operationId);
                app.executeQuery().close();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.pg_try_advisory_lock(?)")) {
                ps.setLong(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return Optional.empty();
                    }
                }
            }
            leased = true;
            return Optional.of(new AdvisoryLease(c, key, operationId));
        } catch (SQLException e) {
            throw new IOException("could not take the PostgreSQL advisory lock " + key + " for operation "
                    + operationId + ": " + e.getMessage(), e);
        } finally {
            if (!leased && c != null) {
                try {
                    c.close();
                } catch (SQLException e) {
                    // the lock was not taken on this connection; nothing to release
                }
            }
        }
    }

    @Override
    public String toString() {
        return "PostgresAdvisoryLock[key=" + key + "]";
    }

    private static final class AdvisoryLease implements Lease {
        private final Connection connection;
        private final long key;
        private final String operationId;
        private boolean closed;

        AdvisoryLease(Connection connection, long key, String operationId) {
            this.connection = connection;
            this.key = key;
            this.operationId = operationId;
        }

        @Override
        public synchronized void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try (connection; PreparedStatement ps = connection.prepareStatement("SELECT pg_catalog.pg_advisory_unlock(?)")) {
                ps.setLong(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && !rs.getBoolean(1)) {
                        LOG.warn("{} - advisory lock {} was no longer held when released (its connection was reset?)",
                                operationId, key);
                    }
                }
            } catch (SQLException e) {
                // closing the connection (try-with-resources) ends the session, and with it the lock
                LOG.debug("{} - unlocking advisory lock {} failed; the lock ends with its session: {}", operationId,
                        key, e.getMessage());
            }
        }
    }

    /** Configuration of a {@link PostgresAdvisoryLock}. Not thread-safe. */
    public static final class Builder {
        private DataSource dataSource;
        private String jdbcUrl;
        private Properties properties = new Properties();
        private long key = DEFAULT_KEY;

        private Builder() {
        }

        /** Where the lock's connection comes from (it is held while an operation runs). */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = dataSource;
            return this;
        }

        /** Alternatively to {@link #dataSource}: a {@code jdbc:postgresql://} URL and its properties (copied). */
        public Builder jdbcUrl(String url, Properties properties) {
            this.jdbcUrl = url;
            this.properties = new Properties();
            if (properties != null) {
                this.properties.putAll(properties);
            }
            return this;
        }

        /** The advisory lock key; every replica must use the same one. Default {@link #DEFAULT_KEY}. */
        public Builder key(long key) {
            this.key = key;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws InvalidConfigurationException listing every problem
         */
        public PostgresAdvisoryLock build() {
            List<String> problems = new ArrayList<>();
            ConnectionSource connections = ConnectionSource.choose(dataSource, jdbcUrl, properties, problems);
            if (!problems.isEmpty()) {
                throw new InvalidConfigurationException("invalid PostgresAdvisoryLock configuration: "
                        + String.join("; ", problems));
            }
            return new PostgresAdvisoryLock(connections, key);
        }
    }
}
