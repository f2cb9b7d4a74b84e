package dev.keepsake.postgres.internal.schema;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * State shared by the readers of one extraction: the connection, the server version, the schemas in scope, the
 * objects that belong to extensions, the item graph and what comments and grants can be attached to. Confined to
 * the extracting thread.
 */
final class CatalogContext {

    /** How a catalog object is named in COMMENT ON / ALTER ... OWNER TO / GRANT. */
    record Named(DumpItem item, String commentTarget, String ownerTarget, String grantTarget) {
    }

    /** A relation's quoted qualified name and quoted column names, for COMMENT ON COLUMN and column grants. */
    record Columns(DumpItem item, String qualifiedName, Map<Integer, String> quotedNames) {
    }

    @FunctionalInterface
    interface RowHandler {
        void row(ResultSet rs) throws SQLException;
    }

    final Connection connection;
    final int version;
    final SchemaScope scope;
    final DumpGraph graph = new DumpGraph();
    final Map<Long, String> schemaNames = new HashMap<>();
    /** Objects that belong to an extension, to the extension's OID. */
    final Map<CatalogRef, Long> extensionMembers = new HashMap<>();
    final Map<CatalogRef, Named> named = new HashMap<>();
    final Map<Long, Columns> columns = new HashMap<>();
    final List<String> refusals = new ArrayList<>();
    /** Relations left out by {@link SchemaScope#excludeTables()}. */
    final Set<Long> excludedRelations = new HashSet<>();
    private String namespaceArray = "'{}'";

    CatalogContext(Connection connection, int version, SchemaScope scope) {
        this.connection = connection;
        this.version = version;
        this.scope = scope;
    }

    void setSchemas(Map<Long, String> inScope) {
        schemaNames.putAll(inScope);
        namespaceArray = inScope.keySet().stream().sorted().map(String::valueOf)
                .collect(Collectors.joining(",", "'{", "}'"));
    }

    /** A condition "column is one of the schemas in scope" (OIDs are numbers, so inlining them is safe). */
    String inScope(String column) {
        return column + " = ANY(" + namespaceArray + "::pg_catalog.oid[])";
    }

    boolean isExtensionMember(long classId, long objectId) {
        return extensionMembers.containsKey(CatalogRef.of(classId, objectId));
    }

    void query(String sql, RowHandler handler) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                handler.row(rs);
            }
        }
    }

    /** Registers the names used to attach comments, owners and grants to {@code ref}. */
    void name(CatalogRef ref, DumpItem item, String commentTarget, String ownerTarget, String grantTarget) {
        named.put(ref, new Named(item, commentTarget, ownerTarget, grantTarget));
    }

    static String[] textArray(ResultSet rs, String column) throws SQLException {
        java.sql.Array a = rs.getArray(column);
        if (a == null) {
            return null;
        }
        Object[] values = (Object[]) a.getArray();
        String[] result = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i] == null ? null : values[i].toString();
        }
        return result;
    }

    /** Formats reloptions ({@code name=value}) as a WITH list, quoting every value as a literal. */
    static String reloptions(String[] options, String prefix) {
        if (options == null || options.length == 0) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (String option : options) {
            int eq = option.indexOf('=');
            String name = eq < 0 ? option : option.substring(0, eq);
            String value = eq < 0 ? null : option.substring(eq + 1);
            parts.add(prefix + name + (value == null ? "" : "=" + SqlText.literal(value)));
        }
        return String.join(", ", parts);
    }
}
