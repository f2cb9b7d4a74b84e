package dev.keepsake.postgres.internal.copy;

import dev.keepsake.postgres.internal.schema.TableRef;
import org.postgresql.copy.CopyIn;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * PostgreSQL's binary {@code COPY} format, used for the tables it suits: it costs the server much less to read and
 * write than the text format (no number or date formatting and parsing). A table qualifies when every column it
 * copies has one of the built-in types of {@link #TYPES} (or an array of one): their binary forms are fixed, carry no
 * database-specific OIDs other than those of built-in types (the same in every database and major version) and are
 * read by every major version this library supports. Anything else (enums, domains, composite, range and
 * user-defined types, {@code regclass} and friends, {@code xml}, {@code money}) keeps the text format.
 *
 * <p>The server sends a binary COPY as a 19-byte header glued to the first row, one row per message and a 2-byte
 * trailer; chunks in the archive hold whole rows only, and every restore {@code COPY} gets the header and trailer
 * back ({@link #wrap}). Stateless and thread-safe.
 */
public final class BinaryCopy {

    /** Built-in types (and their arrays) whose tables are copied in binary; names as {@code regtype} reads them. */
    static final List<String> TYPES = List.of("bool", "bytea", "\"char\"", "int2", "int4", "int8", "float4", "float8",
            "numeric", "text", "varchar", "bpchar", "date", "time", "timetz", "timestamp", "timestamptz", "interval",
            "uuid", "json", "jsonb", "inet", "cidr", "macaddr", "bit", "varbit");

    /** "PGCOPY\n\377\r\n\0", flags 0, header extension length 0. */
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0,
            0, 0, 0, 0, 0, 0, 0, 0};
    private static final byte[] TRAILER = {(byte) 0xFF, (byte) 0xFF};

    private BinaryCopy() {
    }

    /** Length of the header the server puts before the first row. */
    static int headerLength() {
        return HEADER.length;
    }

    /**
     * Whether {@code message} (the first of a binary COPY) starts with the header this class expects (no flags, no
     * extension); anything else is not a format this code understands.
     */
    static boolean startsWithHeader(byte[] message) {
        return message.length >= HEADER.length && Arrays.equals(message, 0, HEADER.length, HEADER, 0, HEADER.length);
    }

    /** Whether {@code message} (after the header is taken off) is the end-of-data trailer (field count -1). */
    static boolean isTrailer(byte[] message, int offset) {
        return message.length - offset == TRAILER.length && message[offset] == TRAILER[0]
                && message[offset + 1] == TRAILER[1];
    }

    /** Starts a restore COPY's input: the header, before the first row. */
    static void writeHeader(CopyIn in) throws SQLException {
        in.writeToCopy(HEADER, 0, HEADER.length);
    }

    /** Ends a restore COPY's input: the trailer, after the last row. */
    static void writeTrailer(CopyIn in) throws SQLException {
        in.writeToCopy(TRAILER, 0, TRAILER.length);
    }

    /** The COPY option list for the format, e.g. {@code " (FORMAT binary, FREEZE)"}; empty for text without freeze. */
    public static String options(boolean binary, boolean freeze) {
        if (binary && freeze) {
            return " (FORMAT binary, FREEZE)";
        }
        if (binary) {
            return " (FORMAT binary)";
        }
        return freeze ? " (FREEZE)" : "";
    }

    /**
     * The indexes (into {@code tables}) of the tables whose copied columns all have a type of {@link #TYPES}, read in
     * one catalog query on {@code c} (inside the backup's snapshot).
     */
    public static BitSet eligible(Connection c, List<TableRef> tables) throws SQLException {
        BitSet result = new BitSet(tables.size());
        if (tables.isEmpty()) {
            return result;
        }
        String[] schemas = new String[tables.size()];
        String[] names = new String[tables.size()];
        for (int i = 0; i < tables.size(); i++) {
            schemas[i] = tables.get(i).schema();
            names[i] = tables.get(i).name();
        }
        String[] types = new String[TYPES.size() * 2];
        for (int i = 0; i < TYPES.size(); i++) {
            types[2 * i] = "pg_catalog." + TYPES.get(i);
            types[2 * i + 1] = "pg_catalog." + TYPES.get(i) + "[]";
        }
        // a table qualifies when none of its copied (not dropped, not generated) columns has another type
        String sql = "SELECT t.i FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS t(s, n, i)"
                + " JOIN pg_catalog.pg_namespace ns ON ns.nspname = t.s"
                + " JOIN pg_catalog.pg_class c ON c.relnamespace = ns.oid AND c.relname = t.n"
                + " WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid"
                + " AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''"
                + " AND a.atttypid <> ALL (?::pg_catalog.regtype[]))";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            Array s = c.createArrayOf("text", schemas);
            Array n = c.createArrayOf("text", names);
            Array t = c.createArrayOf("text", types);
            ps.setArray(1, s);
            ps.setArray(2, n);
            ps.setArray(3, t);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.set(rs.getInt(1) - 1);
                }
            }
        }
        return result;
    }
}
