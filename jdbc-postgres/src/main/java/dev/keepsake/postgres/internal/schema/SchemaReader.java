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

    void read() throws SQLException {
        ctx.query("SELECT classid, objid FROM pg_catalog.pg_depend WHERE deptype = 'e'",
                rs -> ctx.extensionMembers.add(CatalogRef.of(rs.getLong(1), rs.getLong(2))));
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
        ctx.query("SELECT e.oid, e.extname, n.nspname FROM pg_catalog.pg_extension e"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace"
                + " WHERE e.oid >= 16384 ORDER BY e.extname", rs -> {
            String schema = rs.getString("nspname");
            boolean systemSchema = SchemaScope.isSystemSchema(schema);
            if (!systemSchema && !ctx.scope.coversSchema(schema)) {
                return;
            }
            String name = rs.getString("extname");
            extensionNames.add(name);
            DumpItem item = ctx.graph.add(DumpItem.Kind.EXTENSION, "extension", name);
            item.sql("CREATE EXTENSION IF NOT EXISTS " + SqlText.ident(name) + " WITH SCHEMA " + SqlText.ident(schema));
            ctx.graph.bind(CatalogRef.of(CatalogRef.PG_EXTENSION, rs.getLong("oid")), item);
            // No comment or owner: CREATE EXTENSION sets the extension's own comment, and its owner is whoever runs it.
        });
    }
}
