package dev.keepsake.postgres.internal.schema;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a database's schema from its catalogs as dependency-ordered SQL, like {@code pg_dump --schema-only} split into
 * sections, using only catalog queries, the server's {@code pg_get_*def} deparsers and sequence reads (a few bulk
 * queries per object kind, not one per object). Works as a non-superuser on PostgreSQL 13 to 18. Immutable; one
 * instance may serve several extractions, each on its own connection.
 */
public final class SchemaExtractor {

    private static final String[] PREAMBLE = {
        "SELECT pg_catalog.set_config('search_path', '', true)",
        "SET LOCAL check_function_bodies = false",
        "SET LOCAL standard_conforming_strings = on",
        "SET LOCAL xmloption = content",
        "SET LOCAL default_tablespace = ''",
        "SET LOCAL default_table_access_method = heap",
    };

    private final SchemaScope scope;

    public SchemaExtractor(SchemaScope scope) {
        this.scope = java.util.Objects.requireNonNull(scope, "scope");
    }

    /**
     * Reads the schema. MUST be called inside the caller's REPEATABLE READ READ ONLY transaction (the backup snapshot),
     * so sequence values and everything else are consistent with the data. Sets {@code search_path} to empty for the
     * rest of that transaction's extraction (so the deparsers qualify every name) and puts it back before returning.
     * Never writes.
     *
     * @throws UnsupportedSchemaException (an {@link IllegalStateException}) if the database holds large objects or
     *                                    other objects that cannot be backed up, naming them
     * @throws IllegalStateException      if the connection is in auto-commit mode
     */
    public SchemaScript extract(Connection snapshotConnection) throws SQLException {
        if (snapshotConnection.getAutoCommit()) {
            throw new IllegalStateException("Schema extraction needs the backup's REPEATABLE READ transaction, but the"
                    + " connection is in auto-commit mode; call setAutoCommit(false) and start the snapshot first");
        }
        String previousPath;
        int version;
        try (Statement st = snapshotConnection.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_catalog.current_setting('search_path'),"
                     + " pg_catalog.current_setting('server_version_num')::int,"
                     + " pg_catalog.set_config('search_path', '', true)")) {
            rs.next();
            previousPath = rs.getString(1);
            version = rs.getInt(2);
        }
        SchemaScript script;
        try {
            script = extract(snapshotConnection, version);
        } catch (SQLException | RuntimeException e) {
            try {
                restoreSearchPath(snapshotConnection, previousPath);
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed); // e.g. the failure aborted the transaction; the caller rolls it back
            }
            throw e;
        }
        restoreSearchPath(snapshotConnection, previousPath);
        return script;
    }

    private static void restoreSearchPath(Connection connection, String path) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute("SELECT pg_catalog.set_config('search_path', " + SqlText.literal(path) + ", true)");
        }
    }

    private SchemaScript extract(Connection connection, int version) throws SQLException {
        if (version < 130000) {
            throw new IllegalStateException("PostgreSQL " + version / 10000 + " is not supported; Keepsake needs 13 or newer");
        }
        CatalogContext ctx = new CatalogContext(connection, version, scope);
        List<String> refusals = ctx.refusals;
        ctx.query("SELECT count(*) FROM pg_catalog.pg_largeobject_metadata", rs -> {
            long n = rs.getLong(1);
            if (n > 0) {
                refusals.add("the database holds " + n + " large object" + (n == 1 ? "" : "s")
                        + " (pg_largeobject_metadata), and large objects are not supported");
            }
        });
        SchemaReader schemas = new SchemaReader(ctx);
        schemas.read();
        new TypeReader(ctx).read();
        new RoutineReader(ctx).read();
        new TextSearchReader(ctx).read();
        RelationReader relations = new RelationReader(ctx);
        relations.read();
        new SequenceReader(ctx, relations).read();
        new IndexReader(ctx, relations).read();
        new TriggerReader(ctx, relations).read();
        if (!refusals.isEmpty()) {
            throw new UnsupportedSchemaException(refusals);
        }
        new CommentReader(ctx).read();
        if (scope.includeOwnersAndPrivileges()) {
            new PrivilegeReader(ctx).read();
        }
        readDependencies(ctx, relations, schemas);

        DumpGraph graph = ctx.graph;
        graph.foldSeparableClauses();
        graph.moveDependentsOfPostData();
        List<String> pre = new ArrayList<>(List.of(PREAMBLE));
        Map<DumpItem, Integer> firstStatement = new IdentityHashMap<>();
        graph.order(Section.PRE_DATA).forEach(i -> {
            firstStatement.put(i, pre.size());
            pre.addAll(i.render());
        });
        List<String> post = new ArrayList<>();
        Map<DumpItem, Integer> firstPost = new IdentityHashMap<>();
        graph.order(Section.POST_DATA).forEach(i -> {
            firstPost.put(i, post.size());
            post.addAll(i.render());
        });
        Map<String, String> inventory = new TreeMap<>(graph.inventory());
        inventory.put("table data", Integer.toString(relations.tables.size()));
        return new SchemaScript(version, schemas.schemaNames, schemas.extensionNames, pre,
                relations.tables(firstStatement, firstPost), post, inventory);
    }

    private static void readDependencies(CatalogContext ctx, RelationReader relations, SchemaReader schemas)
            throws SQLException {
        DumpGraph graph = ctx.graph;
        java.util.Set<String> outside = new java.util.TreeSet<>();
        ctx.query("SELECT d.classid, d.objid, d.refclassid, d.refobjid, d.deptype, rn.oid AS refnamespace,"
                + " rn.nspname AS refnspname,"
                + " CASE WHEN d.refobjid >= 16384 AND rn.oid IS NOT NULL"
                + "   THEN pg_catalog.pg_describe_object(d.refclassid, d.refobjid, 0) END AS refdescription"
                + " FROM pg_catalog.pg_depend d"
                + " LEFT JOIN pg_catalog.pg_class rc ON d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND rc.oid = d.refobjid"
                + " LEFT JOIN pg_catalog.pg_type rt ON d.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass AND rt.oid = d.refobjid"
                + " LEFT JOIN pg_catalog.pg_proc rp ON d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND rp.oid = d.refobjid"
                + " LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = COALESCE(rc.relnamespace, rt.typnamespace, rp.pronamespace)"
                + " WHERE d.objid >= 16384 AND d.deptype IN ('n', 'a', 'i')", rs -> {
            CatalogRef from = CatalogRef.of(rs.getLong(1), rs.getLong(2));
            DumpItem item = graph.resolve(from);
            if (item == null) {
                return;
            }
            if (item.kind == DumpItem.Kind.SEQUENCE && "a".equals(rs.getString(5))) {
                return; // OWNED BY: a separate statement after both the sequence and the table
            }
            CatalogRef to = CatalogRef.of(rs.getLong(3), rs.getLong(4));
            DumpItem extension = schemas.extensionFor(to);
            if (extension != null) {
                item.dependsOn(extension); // an extension outside the scope is still created when objects need it
                return;
            }
            if (graph.resolve(to) == null && rs.getLong(4) >= 16384 && !ctx.extensionMembers.containsKey(to)) {
                long namespace = rs.getLong("refnamespace");
                String namespaceName = rs.getString("refnspname");
                boolean excludedTable = to.classId() == CatalogRef.PG_CLASS && ctx.excludedRelations.contains(to.objectId());
                boolean excludedSchema = namespaceName != null && !SchemaScope.isSystemSchema(namespaceName)
                        && !ctx.schemaNames.containsKey(namespace);
                if (excludedTable || excludedSchema) {
                    outside.add((item.host != null ? item.host : item) + " needs " + rs.getString("refdescription"));
                }
            }
            graph.addCatalogDependency(from, to);
        });
        if (!outside.isEmpty()) {
            throw new UnsupportedSchemaException(List.of("objects in scope depend on objects outside it, so the backup"
                    + " could not be restored: " + String.join(", ", outside)));
        }
        // a materialized view is refreshed after the materialized views it reads
        relations.refreshes.forEach((view, refresh) -> {
            java.util.Deque<DumpItem> todo = new java.util.ArrayDeque<>(view.deps);
            java.util.Set<DumpItem> seen = new java.util.HashSet<>();
            while (!todo.isEmpty()) {
                DumpItem dep = todo.pop();
                if (!seen.add(dep)) {
                    continue;
                }
                DumpItem other = relations.refreshes.get(dep);
                if (other != null) {
                    refresh.dependsOn(other); // that refresh already waits for whatever its view reads
                } else if (dep.kind == DumpItem.Kind.MATERIALIZED_VIEW) {
                    refresh.omitted = true; // it reads a view left unpopulated, so it would fail (pg_dump skips it too)
                } else {
                    todo.addAll(dep.deps);
                    DumpItem query = relations.viewDefinitions.get(dep); // what a view reads hangs on its query
                    if (query != null) {
                        todo.addAll(query.deps);
                    }
                }
            }
        });
        boolean changed = true;
        while (changed) {
            changed = false;
            for (DumpItem refresh : relations.refreshes.values()) {
                if (!refresh.omitted && refresh.deps.stream().anyMatch(d -> d.omitted)) {
                    refresh.omitted = true;
                    changed = true;
                }
            }
        }
    }
}
