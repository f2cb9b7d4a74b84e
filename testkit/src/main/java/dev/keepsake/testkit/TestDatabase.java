package dev.keepsake.testkit;

import dev.keepsake.testkit.internal.ScriptRunner;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import org.postgresql.ds.PGSimpleDataSource;

/**
 * A fresh database on a {@link PostgresServer}; {@link #close()} drops it (terminating its sessions). Connections
 * use the server's administrative role. Thread-safe; {@code close()} is idempotent.
 */
public final class TestDatabase implements AutoCloseable {

    private final PostgresServer server;
    private final String name;
    private final AtomicBoolean closed = new AtomicBoolean();

    TestDatabase(PostgresServer server, String name) {
        this.server = server;
        this.name = name;
    }

    public String name() {
        return name;
    }

    public PostgresServer server() {
        return server;
    }

    /** {@code jdbc:postgresql://host:port/name}, without credentials. */
    public String jdbcUrl() {
        return server.jdbcUrl(name);
    }

    /** A new copy of {@code user} and {@code password} (the server's administrative role). */
    public Properties connectionProperties() {
        return server.connectionProperties();
    }

    /** A non-pooling data source for this database (each {@code getConnection()} opens a new connection). */
    public DataSource dataSource() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(jdbcUrl());
        Properties properties = connectionProperties();
        dataSource.setUser(properties.getProperty("user"));
        dataSource.setPassword(properties.getProperty("password"));
        return dataSource;
    }

    /** A new connection; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), connectionProperties());
    }

    /**
     * Runs an SQL script: one or more statements separated by semicolons, {@code COPY ... FROM stdin} blocks ended by
     * {@code \.}, psql meta-commands skipped (see {@link #executeFile(Path)}). Each statement runs in autocommit
     * unless the script itself opens a transaction.
     *
     * @throws SQLException naming the line of the statement that failed
     */
    public void execute(String sql) throws SQLException {
        run(new StringReader(sql), "inline SQL");
    }

    /**
     * Loads a UTF-8 SQL file such as pg_dump's plain output (e.g. the pagila fixture): statements split like psql
     * does (quotes, dollar quoting, comments), {@code COPY ... FROM stdin} data fed through the COPY protocol,
     * client-side meta-commands like {@code \restrict} skipped, {@code \connect} and {@code \i} refused.
     *
     * @throws SQLException naming the file and line of the statement that failed, or when the file is unreadable
     */
    public void executeFile(Path sqlFile) throws SQLException {
        try (Reader reader = Files.newBufferedReader(sqlFile, StandardCharsets.UTF_8)) {
            run(reader, sqlFile.toString());
        } catch (IOException e) {
            throw new SQLException("Could not read SQL script " + sqlFile + ": " + e.getMessage(), "58030", e);
        }
    }

    private void run(Reader script, String source) throws SQLException {
        Properties properties = connectionProperties();
        properties.setProperty("preferQueryMode", "simple");
        try (Connection connection = DriverManager.getConnection(jdbcUrl(), properties)) {
            ScriptRunner.run(connection, script, source);
        } catch (IOException e) {
            throw new SQLException("Could not read SQL script " + source + ": " + e.getMessage(), "58030", e);
        }
    }

    /** Drops the database, terminating any session still connected to it. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        String quoted = PostgresServer.quoteIdentifier(name);
        try (Connection connection = server.connect(server.maintenanceDatabase());
             Statement statement = connection.createStatement()) {
            if (server.serverVersionNum() >= 130000) {
                statement.execute("DROP DATABASE IF EXISTS " + quoted + " WITH (FORCE)");
            } else {
                statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                        + name.replace("'", "''") + "' AND pid <> pg_backend_pid()");
                statement.execute("DROP DATABASE IF EXISTS " + quoted);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not drop test database " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "TestDatabase[" + name + " on " + server.host() + ":" + server.port() + "]";
    }
}
