package dev.keepsake.examples;

import dev.keepsake.postgres.CopySocketFactory;
import dev.keepsake.testkit.PostgresLauncher;
import dev.keepsake.testkit.RunningPostgres;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The demo's own PostgreSQL: a server on {@code <data-dir>/postgres} (kept across restarts, on a free loopback port)
 * with the application database {@value #DATABASE}, created at first start. Not thread-safe; close it once.
 */
final class EmbeddedDatabase implements AutoCloseable {

    static final String DATABASE = "demo";
    static final int MAJOR = 15;

    private final RunningPostgres server;
    private final DataSource dataSource;

    private EmbeddedDatabase(RunningPostgres server, DataSource dataSource) {
        this.server = server;
        this.dataSource = dataSource;
    }

    static EmbeddedDatabase start(Path directory) throws IOException, SQLException {
        RunningPostgres server = PostgresLauncher.builder().major(MAJOR).dataDirectory(directory).port(0).build().start();
        try {
            Properties props = server.connectionProperties();
            createDatabaseIfMissing(server, props);
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL(server.jdbcUrl(DATABASE));
            ds.setUser(props.getProperty("user"));
            String password = props.getProperty("password");
            if (password != null) {
                ds.setPassword(password);
            }
            ds.setApplicationName("keepsake-demo");
            ds.setSocketFactory(CopySocketFactory.class.getName()); // cheaper reading of the backup's COPYs
            return new EmbeddedDatabase(server, ds);
        } catch (SQLException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private static void createDatabaseIfMissing(RunningPostgres server, Properties props) throws SQLException {
        try (Connection c = java.sql.DriverManager.getConnection(server.jdbcUrl("postgres"), props)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, DATABASE);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + DATABASE);
            }
        }
    }

    DataSource dataSource() {
        return dataSource;
    }

    int majorVersion() {
        return server.majorVersion();
    }

    /** The application database's JDBC URL (no credentials in it). */
    String jdbcUrl() {
        return server.jdbcUrl(DATABASE);
    }

    /** How to log in, for the banner: the user, and where its password is kept (never the password). */
    String credentialsHint() {
        String user = server.connectionProperties().getProperty("user");
        java.nio.file.Path passwordFile = server.directory().resolve("superuser.password");
        return "user " + user + (java.nio.file.Files.exists(passwordFile) ? ", password in " + passwordFile : "");
    }

    @Override
    public void close() {
        server.close();
    }
}
