package dev.keepsake.postgres.internal;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/** Opens connections to the database, from a {@link DataSource} or a JDBC URL. Thread-safe. */
public interface ConnectionSource {

    Connection open() throws SQLException;

    /**
     * The source a builder was given: exactly one of {@code dataSource} or {@code jdbcUrl}. Adds what is wrong to
     * {@code problems} (never showing the URL: it may hold secrets) and returns null then.
     */
    static ConnectionSource choose(DataSource dataSource, String jdbcUrl, Properties properties, List<String> problems) {
        int before = problems.size();
        if (dataSource == null && jdbcUrl == null) {
            problems.add("a dataSource or a jdbcUrl is required");
        }
        if (dataSource != null && jdbcUrl != null) {
            problems.add("set either a dataSource or a jdbcUrl, not both");
        }
        if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:")) {
            problems.add("jdbcUrl must start with jdbc:postgresql: (the URL is not shown here: it may hold secrets)");
        }
        if (problems.size() > before) {
            return null;
        }
        return dataSource != null ? of(dataSource) : of(jdbcUrl, properties);
    }

    /** A source backed by a data source (a pool is fine: connections are closed, i.e. returned, after use). */
    static ConnectionSource of(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        return dataSource::getConnection;
    }

    /** A source backed by the PostgreSQL driver; the properties (user, password, ...) are copied. */
    static ConnectionSource of(String jdbcUrl, Properties properties) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Properties copy = new Properties();
        copy.putAll(properties);
        org.postgresql.Driver driver = new org.postgresql.Driver();
        return () -> {
            Connection c = driver.connect(jdbcUrl, copy);
            if (c == null) {
                throw new SQLException("not a PostgreSQL JDBC URL (expected jdbc:postgresql://...)");
            }
            return c;
        };
    }
}
