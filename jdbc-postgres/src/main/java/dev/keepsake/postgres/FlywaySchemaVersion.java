package dev.keepsake.postgres;

import dev.keepsake.postgres.internal.Sql;
import dev.keepsake.postgres.spi.SchemaVersionProvider;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The schema version from Flyway's schema history: the highest successfully applied, not undone, versioned migration
 * (per version, the latest successful row by {@code installed_rank} decides; an undo or delete marker un-applies it).
 * Empty when there is no history table.
 *
 * <p>The default of {@link PostgresPart.Builder#schemaVersionProvider}, looking for {@value #DEFAULT_HISTORY_TABLE}
 * only in the schemas the backup covers. For a history table of another name (Flyway's {@code table} setting):
 *
 * <pre>{@code
 * PostgresPart.builder().dataSource(ds).schemaVersionProvider(FlywaySchemaVersion.historyTable("migrations"))
 * }</pre>
 *
 * Immutable and thread-safe.
 */
public final class FlywaySchemaVersion implements SchemaVersionProvider {

    /** The name Flyway gives its history table unless configured otherwise. */
    public static final String DEFAULT_HISTORY_TABLE = "flyway_schema_history";

    private final String table;
    private final List<String> includeSchemas;
    private final List<String> excludeSchemas;

    /**
     * Reads the history table {@code table} (unquoted, exact name), found in the first schema of the database's
     * default {@code search_path} that has one, else in any schema (by name).
     *
     * @throws NullPointerException     when {@code table} is null
     * @throws IllegalArgumentException when {@code table} is blank
     */
    public static FlywaySchemaVersion historyTable(String table) {
        return new FlywaySchemaVersion(table, List.of(), List.of());
    }

    /** Looks only in the backup's scope (empty include list: every schema not excluded). */
    FlywaySchemaVersion(String table, List<String> includeSchemas, List<String> excludeSchemas) {
        this.table = Objects.requireNonNull(table, "table");
        if (table.isBlank()) {
            throw new IllegalArgumentException("the Flyway history table name must not be blank");
        }
        this.includeSchemas = List.copyOf(includeSchemas);
        this.excludeSchemas = List.copyOf(excludeSchemas);
    }

    /** The history table's name. */
    public String table() {
        return table;
    }

    @Override
    public Optional<String> schemaVersion(Connection connection) throws SQLException {
        Optional<String> schema = locate(connection);
        if (schema.isEmpty()) {
            return Optional.empty();
        }
        String sql = "SELECT version, type FROM " + Sql.qualified(schema.get(), table)
                + " WHERE success AND version IS NOT NULL ORDER BY installed_rank";
        Map<String, Boolean> applied = new HashMap<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                String type = rs.getString(2) == null ? "" : rs.getString(2);
                boolean undo = type.startsWith("UNDO") || type.equals("DELETE");
                applied.put(rs.getString(1), !undo);
            }
        }
        List<String> versions = new ArrayList<>();
        applied.forEach((v, on) -> {
            if (on) {
                versions.add(v);
            }
        });
        return versions.stream().max(FlywaySchemaVersion::compareVersions);
    }

    @Override
    public String toString() {
        return "FlywaySchemaVersion[" + table + "]";
    }

    /**
     * The schema holding the history table: the first schema of the session's default search path (the connection's
     * own may be empty during a backup) that has it, else any, by name.
     */
    private Optional<String> locate(Connection c) throws SQLException {
        String sql = "SELECT n.nspname FROM pg_catalog.pg_class t JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace"
                + " WHERE t.relname = ? AND t.relkind IN ('r', 'p')"
                + " ORDER BY pg_catalog.array_position(pg_catalog.string_to_array(pg_catalog.replace("
                + "(SELECT reset_val FROM pg_catalog.pg_settings WHERE name = 'search_path'), '\"$user\"', current_user),"
                + " ', '), n.nspname::text) NULLS LAST,"
                + " n.nspname";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String schema = rs.getString(1);
                    if ((includeSchemas.isEmpty() || includeSchemas.contains(schema))
                            && !excludeSchemas.contains(schema)) {
                        return Optional.of(schema);
                    }
                }
                return Optional.empty();
            }
        }
    }

    /** Flyway's ordering: parts split on '.' and '_', compared numerically where both are numbers. */
    static int compareVersions(String a, String b) {
        String[] pa = a.split("[._]");
        String[] pb = b.split("[._]");
        for (int i = 0; i < Math.max(pa.length, pb.length); i++) {
            String x = i < pa.length ? pa[i] : "0";
            String y = i < pb.length ? pb[i] : "0";
            int c;
            if (x.matches("\\d+") && y.matches("\\d+")) {
                c = new BigInteger(x).compareTo(new BigInteger(y));
            } else {
                c = x.compareTo(y);
            }
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
