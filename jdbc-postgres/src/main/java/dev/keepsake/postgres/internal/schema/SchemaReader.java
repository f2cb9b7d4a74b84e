package dev.keepsake.postgres.internal.schema;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Schemas, extensions, and the set of objects that belong to extensions (those are never dumped). */
final class SchemaReader {

    /** The comment PostgreSQL gives the public schema (the restore leaves an existing public schema alone). */
    static final String PUBLIC_SCHEMA_COMMENT = "standard public schema";

    private final CatalogContext ctx;
    final List<String> schemaNames = new ArrayList<>();
    final List<String> extensionNames = new ArrayList<>();

    SchemaReader(CatalogContext ctx) {
        this.ctx = ctx;
    }

    /** Object kinds Keepsake does not recreate; refusing them beats a restore that fails or silently differs. */
    private void readUnsupported() throws SQLException {
        java.util.Map<String, List<String>> found = new java.util.TreeMap<>();
        ctx.query("SELECT 'conversions', 'pg_catalog.pg_conversion'::pg_catalog.regclass::oid, c.oid,"
                + " pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.conname)"
                + " FROM pg_catalog.pg_conversion c JOIN pg_catalog.pg_namespace n ON n.oid = c.connamespace"
                + " WHERE " + ctx.inScope("c.connamespace")
                + " UNION ALL SELECT 'procedural languages created without an extension',"
                + " 'pg_catalog.pg_language'::pg_catalog.regclass::oid, l.oid, pg_catalog.quote_ident(l.lanname)"
                + " FROM pg_catalog.pg_language l WHERE l.oid >= 16384"
                + " UNION ALL SELECT 'access methods created without an extension',"
                + " 'pg_catalog.pg_am'::pg_catalog.regclass::oid, a.oid, pg_catalog.quote_ident(a.amname)"
                + " FROM pg_catalog.pg_am a WHERE a.oid >= 16384"
                + " UNION ALL SELECT 'transforms created without an extension',"
                + " 'pg_catalog.pg_transform'::pg_catalog.regclass::oid, t.oid,"
                + " pg_catalog.format_type(t.trftype, NULL) || ' LANGUAGE ' || pg_catalog.quote_ident(l.lanname)"
                + " FROM pg_catalog.pg_transform t JOIN pg_catalog.pg_language l ON l.oid = t.trflang WHERE t.oid >= 16384"
                + " ORDER BY 1, 4", rs -> {
            if (!ctx.isExtensionMember(rs.getLong(2), rs.getLong(3))) {
                found.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(4));
            }
        });
        found.forEach((kind, names) -> ctx.refusals.add(kind + " are not supported: " + String.join(", ", names)));
    }

    void read() throws SQLException {
        ctx.query("SELECT classid, objid, refobjid FROM pg_catalog.pg_depend WHERE deptype = 'e'",
                rs -> ctx.extensionMembers.put(CatalogRef.of(rs.getLong(1), rs.getLong(2)), rs.getLong(3)));
        Map<Long, String> inScope = new TreeMap<>();
        ctx.query("SELECT n.oid, n.nspname, pg_catalog.pg_get_userbyid(n.nspowner) AS owner"
                + " FROM pg_catalog.pg_namespace n ORDER BY n.nspname", rs -> {
            long oid = rs.getLong("oid");
            String name = rs.getString("nspname");
            if (!ctx.scope.coversSchema(name) || ctx.isExtensionMember(CatalogRef.PG_NAMESPACE, oid)) {
                return;
            }
            inScope.put(oid, name);
            schemaNames.add(name);
            String q = SqlText.ident(name);
            DumpItem item = ctx.graph.add(DumpItem.Kind.SCHEMA, "schema", name);
            // public exists in every new database (and cannot be created by a non-superuser before 15).
            item.sql(name.equals("public") ? "CREATE SCHEMA IF NOT EXISTS " + q : "CREATE SCHEMA " + q);
            ctx.graph.bind(CatalogRef.of(CatalogRef.PG_NAMESPACE, oid), item);
            ctx.name(CatalogRef.of(CatalogRef.PG_NAMESPACE, oid), item, "SCHEMA " + q, "SCHEMA " + q, "SCHEMA " + q);
        });
        ctx.setSchemas(inScope);
        readUnsupported();
        ctx.query("SELECT e.oid, e.extname, n.nspname FROM pg_catalog.pg_extension e"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace"
                + " WHERE e.oid >= 16384 ORDER BY e.extname", rs -> {
            String schema = rs.getString("nspname");
            boolean systemSchema = SchemaScope.isSystemSchema(schema);
            String name = rs.getString("extname");
            if (!systemSchema && !ctx.scope.coversSchema(schema)) {
                outOfScope.put(rs.getLong("oid"), new String[] {name, schema});
                return;
            }
            addExtension(rs.getLong("oid"), name, schema);
        });
    }

    /** Extensions whose schema is out of scope: OID to name and schema. One is added if objects in scope need it. */
    private final Map<Long, String[]> outOfScope = new java.util.HashMap<>();

    /** The item creating the extension that owns {@code member}, adding it if needed; null if it is built in. */
    DumpItem extensionFor(CatalogRef member) {
        Long extension = ctx.extensionMembers.get(member);
        if (extension == null) {
            return null;
        }
        DumpItem item = ctx.graph.resolve(CatalogRef.PG_EXTENSION, extension);
        String[] skipped = outOfScope.remove(extension);
        if (item == null && skipped != null) {
            item = addExtension(extension, skipped[0], skipped[1]);
        }
        return item;
    }

    private DumpItem addExtension(long oid, String name, String schema) {
        extensionNames.add(name);
        DumpItem item = ctx.graph.add(DumpItem.Kind.EXTENSION, "extension", name);
        item.sql("CREATE EXTENSION IF NOT EXISTS " + SqlText.ident(name) + " WITH SCHEMA " + SqlText.ident(schema));
        ctx.graph.bind(CatalogRef.of(CatalogRef.PG_EXTENSION, oid), item);
        // No comment or owner: CREATE EXTENSION sets the extension's own comment, and its owner is whoever runs it.
        return item;
    }
}
