package dev.keepsake.postgres.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;

/** Quoting and small statement helpers for the SQL this module sends. */
public final class Sql {

    private Sql() {
    }

    /** Always-quoted identifier: {@code "a""b"}. Safe for every name PostgreSQL allows. */
    public static String ident(String name) {
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("identifier contains a NUL character");
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** {@code "schema"."name"}. */
    public static String qualified(String schema, String name) {
        return ident(schema) + "." + ident(name);
    }

    /** A standard-conforming string literal: {@code 'it''s'}. */
    public static String literal(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("literal contains a NUL character");
        }
        return "'" + value.replace("'", "''") + "'";
    }

    /** {@code ("a", "b")}, or empty when there are no columns (COPY then takes all non-generated columns). */
    public static String columnList(List<String> columns) {
        if (columns.isEmpty()) {
            return "";
        }
        return columns.stream().map(Sql::ident).collect(Collectors.joining(", ", " (", ")"));
    }

    /** Runs one statement with escape processing off (function bodies may contain JDBC escape syntax). */
    public static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.setEscapeProcessing(false);
            st.execute(sql);
        }
    }

    /** Sets a configuration parameter for the session ({@code local == false}) or the transaction. */
    public static void set(Connection c, String name, String value, boolean local) throws SQLException {
        try (var ps = c.prepareStatement("SELECT pg_catalog.set_config(?, ?, ?)")) {
            ps.setString(1, name);
            ps.setString(2, value);
            ps.setBoolean(3, local);
            ps.executeQuery().close();
        }
    }

    /** The SQLSTATE and message of an error, for messages: {@code "message [SQLSTATE 42P01]"}. */
    public static String describe(SQLException e) {
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        return e.getSQLState() == null ? msg : msg + " [SQLSTATE " + e.getSQLState() + "]";
    }

    /** Shortens a statement for an error message (statements never contain row data, but can be long). */
    public static String abbreviate(String statement) {
        String oneLine = statement.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 197) + "...";
    }
}
