package dev.keepsake.postgres.internal.restore;

import dev.keepsake.postgres.internal.Sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Empties the target's schemas that the backup covers, inside the restore's transaction.
 *
 * <p>A schema the restoring role owns (or is a member of the owner of) is dropped with {@code CASCADE} and recreated
 * by the backup's script; without owners and privileges in the backup, its previous owner and grants are put back
 * afterwards, since they belong to the environment, not to the data. The {@code public} schema, and any schema the
 * role does not own (e.g. {@code public} owned by the bootstrap superuser on PostgreSQL 13/14), is kept as it is —
 * owner, grants, comment — and the objects in it are dropped one by one; the script's statements that create such a
 * kept schema (and, when the role does not own it, alter or comment on it) are skipped. Not thread-safe.
 */
final class SchemaReplacer {

    /** What was there before, per schema name. */
    private final Map<String, Existing> existing = new LinkedHashMap<>();

    private record Existing(String name, boolean owned, String owner, List<Grant> grants, String identForm) {
        /** Whether the schema itself is dropped and recreated (else it is kept and emptied). */
        boolean dropped() {
            return owned && !name.equals("public");
        }
    } {
    }

    private record Grant(String grantee, String privilege, boolean grantable) {
    }

    /** Reads the current state of the backup's schemas in the target. */
    void inspect(Connection c, List<String> schemas) throws SQLException {
        String sql = "SELECT n.nspname, pg_catalog.pg_has_role(n.nspowner, 'MEMBER'),"
                + " pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(n.nspowner)),"
                + " pg_catalog.quote_ident(n.nspname) FROM pg_catalog.pg_namespace n WHERE n.nspname = ?";
        String acl = "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(a.grantee)) END,"
                + " a.privilege_type, a.is_grantable, a.grantee = n.nspowner"
                + " FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a WHERE n.nspname = ?";
        for (String schema : schemas) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, schema);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        continue;
                    }
                    boolean owned = rs.getBoolean(2);
                    String owner = rs.getString(3);
                    String identForm = rs.getString(4);
                    List<Grant> grants = new ArrayList<>();
                    try (PreparedStatement pa = c.prepareStatement(acl)) {
                        pa.setString(1, schema);
                        try (ResultSet ra = pa.executeQuery()) {
                            while (ra.next()) {
                                if (!ra.getBoolean(4)) {
                                    grants.add(new Grant(ra.getString(1), ra.getString(2), ra.getBoolean(3)));
                                }
                            }
                        }
                    }
                    existing.put(schema, new Existing(schema, owned, owner, grants, identForm));
                }
            }
        }
    }

    /**
     * Objects outside the backup's schemas that depend on objects inside them (a view, a foreign key, a column
     * default, a trigger, a sequence owned by a column...). Replacing the schemas would silently drop them with
     * {@code CASCADE}, so the restore refuses instead, naming them. Dependents without a schema (casts, publication
     * memberships...) are not counted. At most {@code limit} descriptions.
     */
    static List<String> outsideDependents(Connection c, List<String> schemas, int limit) throws SQLException {
        // sub-objects (column defaults, rules, triggers, policies, constraints) have no schema of their own in
        // pg_identify_object: take their table's (or the constraint's) schema
        String ownerSchema = "coalesce(o.schema, CASE d.classid"
                + " WHEN 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN (SELECT n.nspname FROM pg_catalog.pg_attrdef x"
                + "   JOIN pg_catalog.pg_class t ON t.oid = x.adrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace WHERE x.oid = d.objid)"
                + " WHEN 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN (SELECT n.nspname FROM pg_catalog.pg_rewrite x"
                + "   JOIN pg_catalog.pg_class t ON t.oid = x.ev_class JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace WHERE x.oid = d.objid)"
                + " WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN (SELECT n.nspname FROM pg_catalog.pg_trigger x"
                + "   JOIN pg_catalog.pg_class t ON t.oid = x.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace WHERE x.oid = d.objid)"
                + " WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass THEN (SELECT n.nspname FROM pg_catalog.pg_policy x"
                + "   JOIN pg_catalog.pg_class t ON t.oid = x.polrelid JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace WHERE x.oid = d.objid)"
                + " WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN (SELECT n.nspname FROM pg_catalog.pg_constraint x"
                + "   JOIN pg_catalog.pg_namespace n ON n.oid = x.connamespace WHERE x.oid = d.objid)"
                + " END)";
        String sql = "SELECT DISTINCT o.type || ' ' || o.identity || ' (depends on ' || r.type || ' ' || r.identity || ')'"
                + " FROM pg_catalog.pg_depend d"
                + " CROSS JOIN LATERAL pg_catalog.pg_identify_object(d.classid, d.objid, d.objsubid) o"
                + " CROSS JOIN LATERAL pg_catalog.pg_identify_object(d.refclassid, d.refobjid, 0) r"
                + " WHERE d.deptype IN ('n', 'a') AND r.schema = ANY (?)"
                + " AND NOT " + ownerSchema + " = ANY (?) ORDER BY 1 LIMIT " + limit;
        List<String> found = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("text", schemas.toArray()));
            ps.setArray(2, c.createArrayOf("text", schemas.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
        }
        return found;
    }

    /** Number of relations (tables, indexes, sequences, views, ...) in the backup's schemas in the target now. */
    static long relationCount(Connection c, List<String> schemas) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_catalog.pg_class c"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", schemas.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Drops owned schemas and empties kept ones. */
    void empty(Connection c) throws SQLException {
        for (Existing e : existing.values()) {
            if (e.dropped()) {
                Sql.execute(c, "DROP SCHEMA " + Sql.ident(e.name()) + " CASCADE");
            } else {
                dropContents(c, e.name());
            }
        }
    }

    /**
     * Whether a script statement creates a kept schema, or alters or comments on a kept schema the role does not own
     * (such statements are skipped: the schema stays as the target had it).
     */
    boolean targetsKeptSchema(String statement) {
        for (Existing e : existing.values()) {
            if (e.dropped()) {
                continue;
            }
            String verbs = e.owned() ? "CREATE\\s+SCHEMA(?:\\s+IF\\s+NOT\\s+EXISTS)?"
                    : "CREATE\\s+SCHEMA(?:\\s+IF\\s+NOT\\s+EXISTS)?|COMMENT\\s+ON\\s+SCHEMA|ALTER\\s+SCHEMA";
            Pattern p = Pattern.compile("^\\s*(?:" + verbs + ")\\s+" + names(e.name(), e.identForm()) + "(?:\\s|$)",
                    Pattern.CASE_INSENSITIVE);
            if (p.matcher(statement).find()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Creates the backup's schemas that neither exist now (kept) nor are created by one of the script's statements,
     * so that the script can create objects in them.
     */
    void createMissing(Connection c, List<String> schemas, List<String> preData) throws SQLException {
        for (String schema : schemas) {
            Existing e = existing.get(schema);
            if (e != null && !e.dropped()) {
                continue;
            }
            Pattern creates = Pattern.compile("^\\s*CREATE\\s+SCHEMA(?:\\s+IF\\s+NOT\\s+EXISTS)?\\s+"
                    + names(schema, quoteIdent(c, schema)) + "(?:\\s|$)", Pattern.CASE_INSENSITIVE);
            if (preData.stream().noneMatch(s -> creates.matcher(s).find())) {
                Sql.execute(c, "CREATE SCHEMA " + Sql.ident(schema));
            }
        }
    }

    private static String names(String schema, String identForm) {
        return "(?:" + Pattern.quote(Sql.ident(schema)) + "|" + Pattern.quote(identForm) + ")";
    }

    private static String quoteIdent(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.quote_ident(?)")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /**
     * After the script recreated the dropped schemas: gives them back their previous owner (when the restoring role
     * may) and grants.
     */
    void restoreOwnersAndGrants(Connection c) throws SQLException {
        for (Existing e : existing.values()) {
            if (!e.dropped()) {
                continue;
            }
            String currentOwner;
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.quote_ident(pg_catalog.pg_get_userbyid("
                    + "nspowner)) FROM pg_catalog.pg_namespace WHERE nspname = ?")) {
                ps.setString(1, e.name());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        continue;
                    }
                    currentOwner = rs.getString(1);
                }
            }
            if (!currentOwner.equals(e.owner())) { // owned means: the restoring role is a member of the owner
                Sql.execute(c, "ALTER SCHEMA " + Sql.ident(e.name()) + " OWNER TO " + e.owner());
            }
            for (Grant g : e.grants()) {
                Sql.execute(c, "GRANT " + g.privilege() + " ON SCHEMA " + Sql.ident(e.name()) + " TO " + g.grantee()
                        + (g.grantable() ? " WITH GRANT OPTION" : ""));
            }
        }
    }

    /** Drops every object in a schema the role cannot drop itself (extension members and extensions stay). */
    private static void dropContents(Connection c, String schema) throws SQLException {
        String sql = "SELECT o.type, o.identity FROM pg_catalog.pg_depend d"
                + " CROSS JOIN LATERAL pg_catalog.pg_identify_object(d.classid, d.objid, 0) o"
                + " WHERE d.refclassid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND d.deptype = 'n'"
                + " AND d.refobjid = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ?)"
                + " AND d.classid <> 'pg_catalog.pg_extension'::pg_catalog.regclass"
                + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = d.classid"
                + " AND e.objid = d.objid AND e.deptype = 'e')"
                // part of another object (an identity column's sequence): dropped with its owner, never by itself
                + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend i WHERE i.classid = d.classid"
                + " AND i.objid = d.objid AND i.deptype = 'i'"
                // (a partitioned table depends internally on its own key columns: that is not another object)
                + " AND NOT (i.refclassid = d.classid AND i.refobjid = d.objid))"
                // owned by another object (a sequence OWNED BY a column): after its owner, which usually takes it along
                + " ORDER BY EXISTS (SELECT 1 FROM pg_catalog.pg_depend a WHERE a.classid = d.classid"
                + " AND a.objid = d.objid AND a.deptype = 'a'), d.classid, d.objid";
        List<String> drops = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String keyword = dropKeyword(rs.getString(1));
                    if (keyword == null) {
                        throw new SQLException("cannot empty schema " + schema + ": it contains " + rs.getString(1)
                                + " " + rs.getString(2) + ", which the restore does not know how to drop", "55000");
                    }
                    drops.add("DROP " + keyword + " IF EXISTS " + rs.getString(2) + " CASCADE");
                }
            }
        }
        for (String drop : drops) {
            Sql.execute(c, drop);
        }
    }

    private static String dropKeyword(String type) {
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "table" -> "TABLE";
            case "view" -> "VIEW";
            case "materialized view" -> "MATERIALIZED VIEW";
            case "sequence" -> "SEQUENCE";
            case "foreign table" -> "FOREIGN TABLE";
            case "index" -> "INDEX";
            case "function" -> "FUNCTION";
            case "procedure" -> "PROCEDURE";
            case "aggregate" -> "AGGREGATE";
            case "type", "composite type" -> "TYPE";
            case "domain" -> "DOMAIN";
            case "collation" -> "COLLATION";
            case "conversion" -> "CONVERSION";
            case "operator" -> "OPERATOR";
            case "operator class" -> "OPERATOR CLASS";
            case "operator family" -> "OPERATOR FAMILY";
            case "text search configuration" -> "TEXT SEARCH CONFIGURATION";
            case "text search dictionary" -> "TEXT SEARCH DICTIONARY";
            case "text search parser" -> "TEXT SEARCH PARSER";
            case "text search template" -> "TEXT SEARCH TEMPLATE";
            case "statistics object" -> "STATISTICS";
            default -> null;
        };
    }
}
