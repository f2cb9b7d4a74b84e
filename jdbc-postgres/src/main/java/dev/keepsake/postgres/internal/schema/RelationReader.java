package dev.keepsake.postgres.internal.schema;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Tables (plain, unlogged, partitioned, partitions, inheritance children, typed), their columns, defaults, identity
 * and generated columns, CHECK and (18+) NOT NULL constraints; views and materialized views; and the list of tables
 * whose rows are copied.
 */
final class RelationReader {

    /** A relation in scope. */
    static final class Rel {
        long oid;
        String schema;
        String name;
        String qname;
        String kind;
        String persistence;
        boolean isPartition;
        String partitionBound;
        String partitionKey;
        String[] options;
        String[] toastOptions;
        String accessMethod;
        String ofType;
        boolean rowSecurity;
        boolean forceRowSecurity;
        String replicaIdentity;
        boolean populated;
        String viewDefinition;
        long sizeBytes;
        DumpItem item;
        final Map<Integer, Col> columns = new TreeMap<>();
        final List<Rel> parents = new ArrayList<>();
        final List<DumpItem> checks = new ArrayList<>();
        /** See {@link RelationReader#markStageable()}. */
        boolean stageable;
        /** Post-data items creating this table's indexes and key constraints (see {@link StagedBuild#indexes()}). */
        final List<DumpItem> indexItems = new ArrayList<>();
        /** A stageable table's CREATE TABLE, set when it is rendered. */
        TableDdl create;

        /**
         * {@code ddl} on this relation: for a stageable table with the names quoted as {@link TableDdl#on} quotes
         * them (the form a {@link StagedBuild} is checked against), else as the catalogs name it.
         */
        String render(TableDdl ddl) {
            return stageable ? ddl.on(schema, name) : ddl.head() + qname + ddl.tail();
        }
    }

    /** A column of a relation. */
    static final class Col {
        int attnum;
        String name;
        String quoted;
        String type;
        boolean notNull;
        String identity;
        String generated;
        boolean local;
        String storage;
        String typeStorage;
        int statistics;
        String collation;
        String[] options;
        String compression;
        /** Whether the column's type lives in pg_catalog. */
        boolean builtinType;
        String defaultExpression;
        DumpItem defaultItem;
        String identityOptions;
        /** PostgreSQL 18+: the NOT NULL constraint's name when it is not the default one. */
        String notNullName;
        boolean notNullNoInherit;
        long typeOid;
    }

    private final CatalogContext ctx;
    final Map<Long, Rel> relations = new LinkedHashMap<>();
    final List<TableRef> tables = new ArrayList<>();
    /** The relation of each entry of {@link #tables}. */
    private final List<Rel> tableRelations = new ArrayList<>();
    private final Map<DumpItem, String> inlineClauses = new HashMap<>();

    RelationReader(CatalogContext ctx) {
        this.ctx = ctx;
    }

    void read() throws SQLException {
        readRelations();
        readColumns();
        readInheritance();
        readDefaults();
        readChecks();
        if (ctx.version >= 180000) {
            readNotNullConstraints();
        }
        buildItems();
        markStageable();
    }

    /**
     * Marks the tables whose CREATE statement a restore may run in a staging schema of its own, on another connection,
     * and move into place later ({@link StagedBuild}): plain permanent heap tables without inheritance
     * (either way), partitioning or OF type, without identity or generated columns, every column of a type in
     * pg_catalog with a default or pg_catalog collation. Their column defaults and CHECK constraints are written as
     * statements of their own after the CREATE (as pg_dump writes some of them), so that the CREATE names nothing in
     * the backup's schemas.
     */
    private void markStageable() {
        // a child created with INHERITS copies its parent's defaults only when they are part of the parent's CREATE
        java.util.Set<Rel> parents = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        relations.values().forEach(r -> parents.addAll(r.parents));
        for (Rel r : relations.values()) {
            if (!r.kind.equals("r") || !"p".equals(r.persistence) || r.isPartition || !r.parents.isEmpty()
                    || parents.contains(r)
                    || r.ofType != null || (r.accessMethod != null && !r.accessMethod.equals("heap"))) {
                continue;
            }
            boolean plainColumns = r.columns.values().stream().allMatch(c -> c.generated.isEmpty()
                    && c.identity.isEmpty() && c.builtinType
                    && (c.collation == null || c.collation.startsWith("pg_catalog.")));
            if (!plainColumns) {
                continue;
            }
            r.stageable = true;
            for (Col c : r.columns.values()) {
                if (c.defaultItem != null) {
                    c.defaultItem.host = null;
                }
            }
            r.checks.forEach(check -> check.host = null);
        }
    }

    /**
     * The tables to copy, each stageable one with its {@link StagedBuild}: its CREATE statement (the first of its
     * item) and the statements creating its indexes and key constraints that depend on nothing in the backup but the
     * table, each with its index in the script.
     *
     * @param firstPre  the index in {@code preData} of each pre-data item's first statement
     * @param firstPost the index in {@code postData} of each post-data item's first statement
     */
    List<TableRef> tables(Map<DumpItem, Integer> firstPre, Map<DumpItem, Integer> firstPost) {
        List<TableRef> result = new ArrayList<>(tables.size());
        for (int i = 0; i < tables.size(); i++) {
            TableRef t = tables.get(i);
            Rel r = tableRelations.get(i);
            Integer at = r.create != null ? firstPre.get(r.item) : null;
            if (at != null) {
                SortedMap<Integer, TableDdl> indexes = new TreeMap<>();
                for (DumpItem index : r.indexItems) {
                    Integer p = firstPost.get(index);
                    if (p != null && index.tableDdl != null && index.section == Section.POST_DATA && !index.omitted
                            && index.deps.size() == 1 && index.deps.contains(r.item)) {
                        indexes.put(p, index.tableDdl);
                    }
                }
                t = t.withStagedBuild(new StagedBuild(at, r.create, indexes));
            }
            result.add(t);
        }
        return result;
    }

    private void readRelations() throws SQLException {
        List<String> foreign = new ArrayList<>();
        ctx.query("SELECT c.oid, n.nspname, c.relname,"
                + " pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS qname,"
                + " c.relkind, c.relpersistence, c.relispartition,"
                + " pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS partbound,"
                + " CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partkey,"
                + " c.reloptions, tc.reloptions AS toastoptions, am.amname,"
                + " CASE WHEN c.reloftype <> 0 THEN pg_catalog.format_type(c.reloftype, NULL) END AS oftype,"
                + " c.relrowsecurity, c.relforcerowsecurity, c.relreplident, c.relispopulated,"
                + " CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END AS viewdef,"
                + " CASE WHEN c.relkind = 'r' THEN pg_catalog.pg_total_relation_size(c.oid) ELSE 0 END AS size,"
                + " c.reltype, rt.typarray"
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " LEFT JOIN pg_catalog.pg_class tc ON tc.oid = c.reltoastrelid"
                + " LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam"
                + " LEFT JOIN pg_catalog.pg_type rt ON rt.oid = c.reltype"
                + " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND " + ctx.inScope("c.relnamespace")
                + " ORDER BY n.nspname, c.relname", rs -> {
            long oid = rs.getLong("oid");
            if (ctx.isExtensionMember(CatalogRef.PG_CLASS, oid)) {
                return;
            }
            String schema = rs.getString("nspname");
            String name = rs.getString("relname");
            if (ctx.scope.excludesTable(schema, name)) {
                ctx.excludedRelations.add(oid);
                return;
            }
            String kind = rs.getString("relkind");
            if (kind.equals("f")) {
                foreign.add(rs.getString("qname"));
                return;
            }
            Rel r = new Rel();
            r.oid = oid;
            r.schema = schema;
            r.name = name;
            r.qname = rs.getString("qname");
            r.kind = kind;
            r.persistence = rs.getString("relpersistence");
            r.isPartition = rs.getBoolean("relispartition");
            r.partitionBound = rs.getString("partbound");
            r.partitionKey = rs.getString("partkey");
            r.options = CatalogContext.textArray(rs, "reloptions");
            r.toastOptions = CatalogContext.textArray(rs, "toastoptions");
            r.accessMethod = rs.getString("amname");
            r.ofType = rs.getString("oftype");
            r.rowSecurity = rs.getBoolean("relrowsecurity");
            r.forceRowSecurity = rs.getBoolean("relforcerowsecurity");
            r.replicaIdentity = rs.getString("relreplident");
            r.populated = rs.getBoolean("relispopulated");
            r.viewDefinition = rs.getString("viewdef");
            r.sizeBytes = rs.getLong("size");
            String inventory = switch (kind) {
                case "v" -> "view";
                case "m" -> "materialized view";
                case "p" -> "partitioned table";
                default -> r.isPartition ? "partition" : "table";
            };
            DumpItem.Kind itemKind = switch (kind) {
                case "v" -> DumpItem.Kind.VIEW;
                case "m" -> DumpItem.Kind.MATERIALIZED_VIEW;
                default -> DumpItem.Kind.TABLE;
            };
            r.item = ctx.graph.add(itemKind, inventory, r.qname);
            ctx.graph.bind(CatalogRef.of(CatalogRef.PG_CLASS, oid), r.item);
            ctx.graph.bind(CatalogRef.of(CatalogRef.PG_TYPE, rs.getLong("reltype")), r.item);
            ctx.graph.bind(CatalogRef.of(CatalogRef.PG_TYPE, rs.getLong("typarray")), r.item);
            String word = switch (kind) {
                case "v" -> "VIEW ";
                case "m" -> "MATERIALIZED VIEW ";
                default -> "TABLE ";
            };
            ctx.name(CatalogRef.of(CatalogRef.PG_CLASS, oid), r.item, word + r.qname, word + r.qname, "TABLE " + r.qname);
            relations.put(oid, r);
        });
        if (!foreign.isEmpty()) {
            ctx.refusals.add("foreign tables are not supported: " + String.join(", ", foreign));
        }
    }

    private void readColumns() throws SQLException {
        String compression = ctx.version >= 140000 ? "a.attcompression::text" : "''::text";
        ctx.query("SELECT a.attrelid, a.attnum, a.attname, a.atttypid, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,"
                + " a.attnotnull, a.attidentity, a.attgenerated, a.attislocal, a.attstorage, t.typstorage,"
                + " t.typnamespace = 'pg_catalog'::pg_catalog.regnamespace AS builtin,"
                + " COALESCE(a.attstattarget::int, -1) AS stattarget, a.attoptions, " + compression + " AS compression,"
                + " CASE WHEN a.attcollation <> t.typcollation THEN"
                + "   (SELECT pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)"
                + "    FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
                + "    WHERE co.oid = a.attcollation) END AS collation"
                + " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
                + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
                + " WHERE c.relkind IN ('r', 'p', 'v', 'm') AND " + ctx.inScope("c.relnamespace")
                + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum", rs -> {
            Rel r = relations.get(rs.getLong("attrelid"));
            if (r == null) {
                return;
            }
            Col c = new Col();
            c.attnum = rs.getInt("attnum");
            c.name = rs.getString("attname");
            c.quoted = SqlText.ident(c.name);
            c.type = rs.getString("type");
            c.typeOid = rs.getLong("atttypid");
            c.notNull = rs.getBoolean("attnotnull");
            c.identity = rs.getString("attidentity");
            c.generated = rs.getString("attgenerated");
            c.local = rs.getBoolean("attislocal");
            c.storage = rs.getString("attstorage");
            c.typeStorage = rs.getString("typstorage");
            c.statistics = rs.getInt("stattarget");
            c.options = CatalogContext.textArray(rs, "attoptions");
            c.compression = rs.getString("compression");
            c.collation = rs.getString("collation");
            c.builtinType = rs.getBoolean("builtin");
            r.columns.put(c.attnum, c);
        });
        for (Rel r : relations.values()) {
            Map<Integer, String> names = new HashMap<>();
            r.columns.values().forEach(c -> names.put(c.attnum, c.quoted));
            ctx.columns.put(r.oid, new CatalogContext.Columns(r.item, r.qname, names));
        }
    }

    private void readInheritance() throws SQLException {
        ctx.query("SELECT i.inhrelid, i.inhparent,"
                + " (SELECT pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(p.relname)"
                + "  FROM pg_catalog.pg_class p JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace"
                + "  WHERE p.oid = i.inhparent) AS parentname"
                + " FROM pg_catalog.pg_inherits i"
                + " JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid"
                + " WHERE c.relkind IN ('r', 'p') AND " + ctx.inScope("c.relnamespace")
                + " ORDER BY i.inhrelid, i.inhseqno", rs -> {
            Rel child = relations.get(rs.getLong(1));
            Rel parent = relations.get(rs.getLong(2));
            if (child != null && parent != null) {
                child.parents.add(parent);
                child.item.dependsOn(parent.item);
            } else if (child != null) {
                ctx.refusals.add("table " + child.qname + " inherits from or is a partition of "
                        + rs.getString("parentname") + ", which is outside the backup's scope");
            }
        });
    }

    private void readDefaults() throws SQLException {
        ctx.query("SELECT d.oid, d.adrelid, d.adnum, pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS expr"
                + " FROM pg_catalog.pg_attrdef d JOIN pg_catalog.pg_class c ON c.oid = d.adrelid"
                + " WHERE " + ctx.inScope("c.relnamespace"), rs -> {
            Rel r = relations.get(rs.getLong("adrelid"));
            if (r == null) {
                return;
            }
            Col c = r.columns.get(rs.getInt("adnum"));
            if (c == null) {
                return;
            }
            c.defaultExpression = rs.getString("expr");
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_ATTRDEF, rs.getLong("oid"));
            if (!c.generated.isEmpty()) {
                ctx.graph.bind(ref, r.item); // a generation expression is part of the column
                return;
            }
            String keyword = r.kind.equals("v") ? "ALTER VIEW " : "ALTER TABLE ONLY ";
            Col parentColumn = inheritedColumn(r, c);
            if (parentColumn != null && sameText(parentColumn.defaultExpression, c.defaultExpression)) {
                ctx.graph.bind(ref, r.item); // CREATE TABLE ... INHERITS copies the parent's default
                return;
            }
            DumpItem d = ctx.graph.add(DumpItem.Kind.COLUMN_DEFAULT, null, r.qname + " " + c.quoted);
            d.sql(keyword + r.qname + " ALTER COLUMN " + c.quoted + " SET DEFAULT " + c.defaultExpression);
            d.dependsOn(r.item);
            if (parentColumn == null && r.kind.matches("[rp]")) {
                d.host = r.item; // may be written inline in CREATE TABLE
                inlineClauses.put(d, " DEFAULT " + c.defaultExpression);
            }
            c.defaultItem = d;
            ctx.graph.bind(ref, d);
        });
    }

    /** For a column an inheritance child (not a partition) gets from a parent: the parent's column, else null. */
    private static Col inheritedColumn(Rel r, Col c) {
        if (c.local || r.isPartition) {
            return null;
        }
        for (Rel p : r.parents) {
            for (Col pc : p.columns.values()) {
                if (pc.name.equals(c.name)) {
                    return pc;
                }
            }
        }
        return null;
    }

    private static boolean sameText(String a, String b) {
        return a == null ? b == null : a.equals(b);
    }

    private void readChecks() throws SQLException {
        ctx.query("SELECT co.oid, co.conrelid, co.conname, co.convalidated, co.conislocal,"
                + " pg_catalog.pg_get_constraintdef(co.oid) AS def"
                + " FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class c ON c.oid = co.conrelid"
                + " WHERE co.contype = 'c' AND " + ctx.inScope("c.relnamespace")
                + " ORDER BY co.conrelid, co.conname", rs -> {
            Rel r = relations.get(rs.getLong("conrelid"));
            if (r == null) {
                return;
            }
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_CONSTRAINT, rs.getLong("oid"));
            String name = SqlText.ident(rs.getString("conname"));
            boolean local = rs.getBoolean("conislocal");
            boolean valid = rs.getBoolean("convalidated");
            String def = rs.getString("def");
            if (valid && (local || r.isPartition)) {
                DumpItem check = ctx.graph.add(DumpItem.Kind.CHECK_CONSTRAINT, "check constraint", r.qname + " " + name);
                check.sql("ALTER TABLE " + r.qname + " ADD CONSTRAINT " + name + " " + def);
                check.dependsOn(r.item);
                check.host = r.item;
                inlineClauses.put(check, "CONSTRAINT " + name + " " + def);
                r.checks.add(check);
                ctx.graph.bind(ref, check);
                ctx.name(ref, check, "CONSTRAINT " + name + " ON " + r.qname, null, null);
            } else if (!valid && local) {
                DumpItem check = ctx.graph.add(DumpItem.Kind.CONSTRAINT, "check constraint", r.qname + " " + name);
                check.section = Section.POST_DATA;
                check.sql("ALTER TABLE " + r.qname + " ADD CONSTRAINT " + name + " " + def);
                check.dependsOn(r.item);
                ctx.graph.bind(ref, check);
                ctx.name(ref, check, "CONSTRAINT " + name + " ON " + r.qname, null, null);
            } else {
                ctx.graph.bind(ref, r.item); // inherited: comes with the parent's
                ctx.name(ref, r.item, "CONSTRAINT " + name + " ON " + r.qname, null, null);
            }
        });
    }

    /**
     * PostgreSQL 18 keeps NOT NULL constraints in pg_constraint, with names, NO INHERIT and NOT VALID: keep a name
     * that is not the default, and add a NOT VALID one after the data (attnotnull is true for it too).
     */
    private void readNotNullConstraints() throws SQLException {
        ctx.query("SELECT co.oid, co.conrelid, co.conkey[1] AS attnum, co.conname, co.connoinherit, co.convalidated,"
                + " co.conislocal, c.relname FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class c ON c.oid = co.conrelid"
                + " WHERE co.contype = 'n' AND " + ctx.inScope("c.relnamespace"), rs -> {
            Rel r = relations.get(rs.getLong("conrelid"));
            Col c = r == null ? null : r.columns.get(rs.getInt("attnum"));
            if (c == null) {
                return;
            }
            String name = rs.getString("conname");
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_CONSTRAINT, rs.getLong("oid"));
            if (!rs.getBoolean("convalidated")) {
                c.notNull = false;
                if (rs.getBoolean("conislocal")) {
                    DumpItem item = ctx.graph.add(DumpItem.Kind.CONSTRAINT, "not-null constraint", r.qname + " " + name);
                    item.section = Section.POST_DATA;
                    item.sql("ALTER TABLE " + r.qname + " ADD CONSTRAINT " + SqlText.ident(name) + " NOT NULL " + c.quoted
                            + (rs.getBoolean("connoinherit") ? " NO INHERIT" : "") + " NOT VALID");
                    item.dependsOn(r.item);
                    ctx.graph.bind(ref, item);
                    ctx.name(ref, item, "CONSTRAINT " + SqlText.ident(name) + " ON " + r.qname, null, null);
                    return;
                }
            }
            if (!name.equals(rs.getString("relname") + "_" + c.name + "_not_null")) {
                c.notNullName = name;
            }
            c.notNullNoInherit = rs.getBoolean("connoinherit");
            ctx.graph.bind(ref, r.item);
            ctx.name(ref, r.item, "CONSTRAINT " + SqlText.ident(name) + " ON " + r.qname, null, null);
        });
    }

    private void buildItems() {
        for (Rel r : relations.values()) {
            switch (r.kind) {
                case "v" -> buildView(r);
                case "m" -> buildMaterializedView(r);
                default -> buildTable(r);
            }
        }
    }

    /** View to the item holding its query, which is folded into CREATE VIEW unless that makes a cycle. */
    final Map<DumpItem, DumpItem> viewDefinitions = new HashMap<>();

    /**
     * A view is created with its query, unless the query needs something that needs the view (e.g. a function
     * returning the view's row type): then, like pg_dump, a stub with the right columns comes first and
     * CREATE OR REPLACE VIEW sets the query once that something exists.
     */
    private void buildView(Rel r) {
        List<String> options = new ArrayList<>();
        String checkOption = null;
        if (r.options != null) {
            for (String o : r.options) {
                if (o.startsWith("check_option=")) {
                    checkOption = o.substring("check_option=".length()).toUpperCase(java.util.Locale.ROOT);
                } else {
                    options.add(o);
                }
            }
        }
        String with = CatalogContext.reloptions(options.toArray(String[]::new), "");
        String head = r.qname + (with.isEmpty() ? "" : " WITH (" + with + ")") + " AS\n";
        String body = SqlText.stripSemicolon(r.viewDefinition)
                + (checkOption != null ? "\n  WITH " + checkOption + " CHECK OPTION" : "");
        DumpItem definition = ctx.graph.add(DumpItem.Kind.VIEW, null, r.qname + " definition");
        definition.sql("CREATE OR REPLACE VIEW " + head + body);
        definition.dependsOn(r.item);
        definition.host = r.item;
        viewDefinitions.put(r.item, definition);
        List<String> stubColumns = new ArrayList<>();
        for (Col c : r.columns.values()) {
            stubColumns.add("NULL::" + c.type + (c.collation != null ? " COLLATE " + c.collation : "") + " AS " + c.quoted);
            r.item.dependsOn(ctx.graph.resolve(CatalogRef.PG_TYPE, c.typeOid));
        }
        r.item.renderer(() -> List.of(definition.inlined
                ? "CREATE VIEW " + head + body
                : "CREATE VIEW " + head + "SELECT " + String.join(",\n    ", stubColumns)));
    }

    private void buildMaterializedView(Rel r) {
        String with = CatalogContext.reloptions(r.options, "");
        r.item.sql("CREATE MATERIALIZED VIEW " + r.qname
                + (r.accessMethod != null && !r.accessMethod.equals("heap") ? " USING " + SqlText.ident(r.accessMethod) : "")
                + (with.isEmpty() ? "" : " WITH (" + with + ")") + " AS\n"
                + SqlText.stripSemicolon(r.viewDefinition) + "\n  WITH NO DATA");
        columnProperties(r, "ALTER MATERIALIZED VIEW " + r.qname).forEach(r.item::sql);
        if (r.populated) {
            DumpItem refresh = ctx.graph.add(DumpItem.Kind.REFRESH, null, r.qname);
            refresh.sql("REFRESH MATERIALIZED VIEW " + r.qname);
            refresh.dependsOn(r.item);
            refreshes.put(r.item, refresh);
        }
    }

    /** Materialized view item to its REFRESH item, so refreshes can be ordered like the views themselves. */
    final Map<DumpItem, DumpItem> refreshes = new HashMap<>();

    private void buildTable(Rel r) {
        boolean inheritsColumns = !r.parents.isEmpty() && !r.isPartition;
        r.item.renderer(() -> {
            List<String> out = new ArrayList<>();
            List<String> elements = new ArrayList<>();
            List<String> after = new ArrayList<>();
            for (Col c : r.columns.values()) {
                if (inheritsColumns && !c.local) {
                    if (c.notNull && r.parents.stream().noneMatch(p -> parentNotNull(p, c.name))) {
                        after.add("ALTER TABLE ONLY " + r.qname + " ALTER COLUMN " + c.quoted + " SET NOT NULL");
                    }
                    if (c.defaultExpression == null && c.generated.isEmpty()) {
                        Col pc = inheritedColumn(r, c);
                        if (pc != null && pc.defaultExpression != null) {
                            after.add("ALTER TABLE ONLY " + r.qname + " ALTER COLUMN " + c.quoted + " DROP DEFAULT");
                        }
                    }
                    continue;
                }
                StringBuilder col = new StringBuilder(c.quoted);
                if (r.ofType != null) {
                    col.append(" WITH OPTIONS");
                } else {
                    col.append(' ').append(c.type);
                    if (c.collation != null) {
                        col.append(" COLLATE ").append(c.collation);
                    }
                }
                if (!c.generated.isEmpty() && c.defaultExpression != null) {
                    col.append(" GENERATED ALWAYS AS (").append(c.defaultExpression).append(')')
                            .append(c.generated.equals("v") ? " VIRTUAL" : " STORED");
                }
                if (c.defaultItem != null && c.defaultItem.inlined) {
                    col.append(inlineClauses.get(c.defaultItem));
                }
                if (c.notNull) {
                    if (c.notNullName != null) {
                        col.append(" CONSTRAINT ").append(SqlText.ident(c.notNullName));
                    }
                    col.append(c.notNullNoInherit ? " NOT NULL NO INHERIT" : " NOT NULL");
                }
                if (!c.identity.isEmpty() && c.identityOptions != null) {
                    col.append(c.identity.equals("a") ? " GENERATED ALWAYS AS IDENTITY (" : " GENERATED BY DEFAULT AS IDENTITY (")
                            .append("\n    ").append(c.identityOptions).append("\n)");
                }
                if (r.ofType != null && col.toString().equals(c.quoted + " WITH OPTIONS")) {
                    continue;
                }
                elements.add(col.toString());
            }
            for (DumpItem check : r.checks) {
                if (check.inlined) {
                    elements.add(inlineClauses.get(check));
                }
            }
            String head = "u".equals(r.persistence) ? "CREATE UNLOGGED TABLE " : "CREATE TABLE ";
            StringBuilder sql = new StringBuilder(); // what follows the table's name
            if (r.ofType != null) {
                sql.append(" OF ").append(r.ofType);
            }
            if (!elements.isEmpty() || r.ofType == null) {
                sql.append(" (");
                if (!elements.isEmpty()) {
                    sql.append("\n    ").append(String.join(",\n    ", elements)).append('\n');
                }
                sql.append(')');
            }
            if (inheritsColumns) {
                sql.append("\nINHERITS (");
                for (int i = 0; i < r.parents.size(); i++) {
                    sql.append(i > 0 ? ", " : "").append(r.parents.get(i).qname);
                }
                sql.append(')');
            }
            if (r.partitionKey != null) {
                sql.append("\nPARTITION BY ").append(r.partitionKey);
            }
            if (r.accessMethod != null && !r.accessMethod.equals("heap") && r.kind.equals("r")) {
                sql.append("\nUSING ").append(SqlText.ident(r.accessMethod));
            }
            String with = CatalogContext.reloptions(r.options, "");
            String toast = CatalogContext.reloptions(r.toastOptions, "toast.");
            if (!with.isEmpty() || !toast.isEmpty()) {
                sql.append("\nWITH (").append(with).append(!with.isEmpty() && !toast.isEmpty() ? ", " : "")
                        .append(toast).append(')');
            }
            TableDdl create = new TableDdl(head, sql.toString());
            if (r.stageable) {
                r.create = create;
            }
            out.add(r.render(create));
            out.addAll(after);
            out.addAll(columnProperties(r, "ALTER TABLE ONLY " + r.qname));
            if ("f".equals(r.replicaIdentity)) {
                out.add("ALTER TABLE ONLY " + r.qname + " REPLICA IDENTITY FULL");
            } else if ("n".equals(r.replicaIdentity)) {
                out.add("ALTER TABLE ONLY " + r.qname + " REPLICA IDENTITY NOTHING");
            }
            return out;
        });
        if (r.isPartition && !r.parents.isEmpty()) {
            Rel parent = r.parents.get(0);
            DumpItem attach = ctx.graph.add(DumpItem.Kind.TABLE_ATTACH, null, r.qname);
            attach.sql("ALTER TABLE ONLY " + parent.qname + " ATTACH PARTITION " + r.qname + " " + r.partitionBound);
            attach.dependsOn(r.item);
            attach.dependsOn(parent.item);
        }
        if (r.rowSecurity || r.forceRowSecurity) {
            DumpItem rls = ctx.graph.add(DumpItem.Kind.TABLE_PROPERTIES, null, r.qname);
            if (r.rowSecurity) {
                rls.sql("ALTER TABLE " + r.qname + " ENABLE ROW LEVEL SECURITY");
            }
            if (r.forceRowSecurity) {
                rls.sql("ALTER TABLE " + r.qname + " FORCE ROW LEVEL SECURITY");
            }
            rls.dependsOn(r.item);
        }
        if (r.kind.equals("r")) {
            List<String> copyColumns = new ArrayList<>();
            for (Col c : r.columns.values()) {
                if (c.generated.isEmpty()) {
                    copyColumns.add(c.name);
                }
            }
            tables.add(new TableRef(r.schema, r.name, r.sizeBytes, copyColumns));
            tableRelations.add(r);
        }
    }

    private static boolean parentNotNull(Rel parent, String column) {
        return parent.columns.values().stream().anyMatch(pc -> pc.name.equals(column) && pc.notNull);
    }

    /** Non-default column statistics targets, storage, compression and options (ANALYZE/TOAST settings). */
    private static List<String> columnProperties(Rel r, String alter) {
        List<String> item = new ArrayList<>();
        for (Col c : r.columns.values()) {
            String prefix = alter + " ALTER COLUMN " + c.quoted;
            if (c.statistics >= 0) {
                item.add(prefix + " SET STATISTICS " + c.statistics);
            }
            if (c.storage != null && !c.storage.equals(c.typeStorage)) {
                String storage = switch (c.storage) {
                    case "p" -> "PLAIN";
                    case "e" -> "EXTERNAL";
                    case "m" -> "MAIN";
                    default -> "EXTENDED";
                };
                item.add(prefix + " SET STORAGE " + storage);
            }
            if (c.compression != null && !c.compression.isEmpty()) {
                item.add(prefix + " SET COMPRESSION " + (c.compression.equals("l") ? "lz4" : "pglz"));
            }
            if (c.options != null && c.options.length > 0) {
                item.add(prefix + " SET (" + CatalogContext.reloptions(c.options, "") + ")");
            }
        }
        return item;
    }
}
