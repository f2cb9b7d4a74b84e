package dev.keepsake.postgres.internal.schema;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Owners ({@code ALTER ... OWNER TO}) and privileges ({@code GRANT}, from {@code aclexplode}), only when the scope asks
 * for them. A non-default ACL is written as "revoke the defaults, grant each entry in the ACL's order", which recreates
 * the same ACL. Grantors are not kept: grants are made by whoever restores (as pg_dump without SET ROLE does).
 */
final class PrivilegeReader {

    private final CatalogContext ctx;

    PrivilegeReader(CatalogContext ctx) {
        this.ctx = ctx;
    }

    private static String explode(String acl) {
        return "(SELECT pg_catalog.array_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC'"
                + " ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END"
                + " || ' ' || a.privilege_type || ' ' || a.is_grantable ORDER BY o.i)"
                + " FROM pg_catalog.unnest(" + acl + ") WITH ORDINALITY AS o(item, i),"
                + " LATERAL pg_catalog.aclexplode(ARRAY[o.item]) a)";
    }

    void read() throws SQLException {
        read(CatalogRef.PG_NAMESPACE, "pg_catalog.pg_namespace", "nspowner", "nspacl");
        read(CatalogRef.PG_CLASS, "pg_catalog.pg_class", "relowner", "relacl");
        read(CatalogRef.PG_PROC, "pg_catalog.pg_proc", "proowner", "proacl");
        read(CatalogRef.PG_TYPE, "pg_catalog.pg_type", "typowner", "typacl");
        read(CatalogRef.PG_COLLATION, "pg_catalog.pg_collation", "collowner", null);
        read(CatalogRef.PG_OPERATOR, "pg_catalog.pg_operator", "oprowner", null);
        read(CatalogRef.PG_TS_DICT, "pg_catalog.pg_ts_dict", "dictowner", null);
        read(CatalogRef.PG_TS_CONFIG, "pg_catalog.pg_ts_config", "cfgowner", null);
        read(CatalogRef.PG_STATISTIC_EXT, "pg_catalog.pg_statistic_ext", "stxowner", null);
        read(CatalogRef.PG_EVENT_TRIGGER, "pg_catalog.pg_event_trigger", "evtowner", null);
        emitOwnersAndGrants();
        readColumnPrivileges();
        readDefaultPrivileges();
    }

    /**
     * ALTER DEFAULT PRIVILEGES, last of all (they would change the privileges of the objects the restore creates).
     * Database-wide ones (no schema) are kept with every scope, per-schema ones with their schema.
     */
    private void readDefaultPrivileges() throws SQLException {
        ctx.query("SELECT pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(d.defaclrole)) AS role, d.defaclnamespace,"
                + " d.defaclobjtype, " + explode("d.defaclacl") + " AS acl"
                + " FROM pg_catalog.pg_default_acl d ORDER BY 1, 2, 3", rs -> {
            long namespace = rs.getLong("defaclnamespace");
            if (namespace != 0 && !ctx.schemaNames.containsKey(namespace)) {
                return;
            }
            String objects = switch (rs.getString("defaclobjtype")) {
                case "r" -> "TABLES";
                case "S" -> "SEQUENCES";
                case "f" -> "FUNCTIONS";
                case "T" -> "TYPES";
                case "n" -> "SCHEMAS";
                default -> null;
            };
            String[] acl = CatalogContext.textArray(rs, "acl");
            if (objects == null || acl == null) {
                return;
            }
            String role = rs.getString("role");
            String prefix = "ALTER DEFAULT PRIVILEGES FOR ROLE " + role
                    + (namespace != 0 ? " IN SCHEMA " + SqlText.ident(ctx.schemaNames.get(namespace)) : "");
            DumpItem item = ctx.graph.add(DumpItem.Kind.DEFAULT_PRIVILEGES, "default privileges", prefix + " " + objects);
            if (namespace == 0) {
                // replaces the built-in defaults (owner: everything; PUBLIC: EXECUTE on functions, USAGE on types)
                item.sql(prefix + " REVOKE ALL ON " + objects + " FROM PUBLIC");
                item.sql(prefix + " REVOKE ALL ON " + objects + " FROM " + role);
            } else {
                item.dependsOn(ctx.graph.resolve(CatalogRef.PG_NAMESPACE, namespace));
            }
            for (String grant : grants(acl, objects, "")) {
                item.sql(prefix + " " + grant);
            }
        });
    }

    /** Owner and ACL of one catalog object we name. */
    private record Row(CatalogContext.Named named, String owner, String[] acl) {
    }

    private final List<Row> rows = new ArrayList<>();

    private void read(long classId, String catalog, String ownerColumn, String aclColumn) throws SQLException {
        ctx.query("SELECT x.oid, pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(x." + ownerColumn + ")) AS owner, "
                + (aclColumn == null ? "NULL::text[]" : explode("x." + aclColumn)) + " AS acl"
                + " FROM " + catalog + " x", rs -> {
            CatalogContext.Named named = ctx.named.get(CatalogRef.of(classId, rs.getLong("oid")));
            if (named != null) {
                rows.add(new Row(named, rs.getString("owner"), CatalogContext.textArray(rs, "acl")));
            }
        });
    }

    /** Owners first, then grants (an item may hold several objects, e.g. a table and its identity sequence). */
    private void emitOwnersAndGrants() {
        rows.sort(java.util.Comparator.comparing(r -> r.named().commentTarget()));
        for (Row row : rows) {
            if (row.named().ownerTarget() != null) {
                row.named().item().trailer("ALTER " + row.named().ownerTarget() + " OWNER TO " + row.owner());
            }
        }
        for (Row row : rows) {
            String target = row.named().grantTarget();
            if (row.acl() == null || target == null) {
                continue;
            }
            DumpItem item = row.named().item();
            item.trailer("REVOKE ALL ON " + target + " FROM PUBLIC");
            item.trailer("REVOKE ALL ON " + target + " FROM " + row.owner());
            grants(row.acl(), target, "").forEach(item::trailer);
        }
    }

    private void readColumnPrivileges() throws SQLException {
        ctx.query("SELECT a.attrelid, a.attnum, " + explode("a.attacl") + " AS acl FROM pg_catalog.pg_attribute a"
                + " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
                + " WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped AND " + ctx.inScope("c.relnamespace")
                + " ORDER BY c.relname, a.attnum",
                rs -> {
                    CatalogContext.Columns cols = ctx.columns.get(rs.getLong("attrelid"));
                    String[] acl = CatalogContext.textArray(rs, "acl");
                    if (cols == null || acl == null) {
                        return;
                    }
                    String col = cols.quotedNames().get(rs.getInt("attnum"));
                    grants(acl, "TABLE " + cols.qualifiedName(), " (" + col + ")").forEach(cols.item()::trailer);
                });
    }

    /** Entries "grantee PRIVILEGE grantable" to GRANT statements, grouped per grantee in the ACL's order. */
    private static List<String> grants(String[] acl, String target, String columns) {
        Map<String, List<String>> byGrantee = new LinkedHashMap<>();
        for (String entry : acl) {
            int last = entry.lastIndexOf(' ');
            int middle = entry.lastIndexOf(' ', last - 1);
            String grantee = entry.substring(0, middle);
            String privilege = entry.substring(middle + 1, last);
            boolean grantable = Boolean.parseBoolean(entry.substring(last + 1));
            byGrantee.computeIfAbsent(grantee + (grantable ? "\u0000g" : ""), k -> new ArrayList<>())
                    .add(privilege + columns);
        }
        List<String> out = new ArrayList<>();
        byGrantee.forEach((key, privileges) -> {
            boolean grantable = key.endsWith("\u0000g");
            String grantee = grantable ? key.substring(0, key.length() - 2) : key;
            out.add("GRANT " + String.join(", ", privileges) + " ON " + target + " TO " + grantee
                    + (grantable ? " WITH GRANT OPTION" : ""));
        });
        return out;
    }
}
