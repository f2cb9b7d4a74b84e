package dev.keepsake.postgres.internal;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;

/** Opens connections to the database, from a {@link DataSource} or a JDBC URL. Thread-safe. */
public interface ConnectionSource {

    Connection open() throws SQLException;

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
