package dev.keepsake.postgres.internal;

import dev.keepsake.postgres.CopySocketFactory;
import org.postgresql.PGProperty;

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

    /**
     * A source backed by the PostgreSQL driver; the properties (user, password, ...) are copied, and
     * {@link CopySocketFactory} is added as the {@code socketFactory} unless the URL or the properties name one.
     */
    static ConnectionSource of(String jdbcUrl, Properties properties) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Properties copy = withCopySocketFactory(jdbcUrl, properties);
        org.postgresql.Driver driver = new org.postgresql.Driver();
        return () -> {
            Connection c = driver.connect(jdbcUrl, copy);
            if (c == null) {
                throw new SQLException("not a PostgreSQL JDBC URL (expected jdbc:postgresql://...)");
            }
            return c;
        };
    }

    /**
     * A copy of {@code properties}, with {@link CopySocketFactory} as the socket factory unless a factory is named or
     * the driver could not load it (pgjdbc loads it by name, from its own class loader: a driver in a servlet
     * container's class path does not see a web application's classes).
     */
    static Properties withCopySocketFactory(String jdbcUrl, Properties properties) {
        Properties copy = new Properties();
        copy.putAll(properties);
        Properties parsed = org.postgresql.Driver.parseURL(jdbcUrl, copy);
        if (parsed != null && !PGProperty.SOCKET_FACTORY.isPresent(parsed) && driverSeesCopySocketFactory()) {
            copy.setProperty(PGProperty.SOCKET_FACTORY.getName(), CopySocketFactory.class.getName());
        }
        return copy;
    }

    private static boolean driverSeesCopySocketFactory() {
        try {
            return Class.forName(CopySocketFactory.class.getName(), false,
                    org.postgresql.Driver.class.getClassLoader()) == CopySocketFactory.class;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
