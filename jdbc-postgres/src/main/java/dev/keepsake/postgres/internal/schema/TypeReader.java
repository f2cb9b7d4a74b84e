package dev.keepsake.postgres.internal.schema;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Enum, composite, range and domain types (with their constraints) and collations. */
final class TypeReader {

    private final CatalogContext ctx;

    TypeReader(CatalogContext ctx) {
        this.ctx = ctx;
    }

    void read() throws SQLException {
        readCollations();
        Map<Long, DumpItem> enums = new LinkedHashMap<>();
        Map<Long, DumpItem> composites = new HashMap<>();
        Map<Long, String> ranges = new HashMap<>();
        Map<Long, DumpItem> domains = new HashMap<>();
        Map<Long, Long> compositeRelations = new HashMap<>();
        List<String> baseTypes = new ArrayList<>();
        ctx.query("SELECT t.oid, t.typname, t.typtype, t.typrelid, t.typarray, t.typisdefined,"
                + " pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(t.typname) AS qname,"
                + " n.nspname, pg_catalog.pg_get_userbyid(t.typowner) AS owner,"
                + " c.relkind,"
                + " pg_catalog.format_type(t.typbasetype, t.typtypmod) AS basetype,"
                + " t.typnotnull, pg_catalog.pg_get_expr(t.typdefaultbin, 0) AS typdefault,"
                + " CASE WHEN t.typcollation <> 0 AND t.typcollation IS DISTINCT FROM bt.typcollation THEN"
                + "   (SELECT pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)"
                + "    FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
                + "    WHERE co.oid = t.typcollation) END AS collation"
                + " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
                + " LEFT JOIN pg_catalog.pg_class c ON c.oid = t.typrelid"
                + " LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype"
                + " WHERE " + ctx.inScope("t.typnamespace")
                + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.typarray = t.oid)"
                + " ORDER BY n.nspname, t.typname", rs -> {
            long oid = rs.getLong("oid");
            String type = rs.getString("typtype");
            String qname = rs.getString("qname");
            if (type.equals("m")) {
                return; // a multirange: created with its range type
            }
            if (type.equals("c") && !"c".equals(rs.getString("relkind"))) {
                return; // a table's or view's row type: bound to the relation by RelationReader
            }
            if (ctx.isExtensionMember(CatalogRef.PG_TYPE, oid)) {
                return;
            }
            if (type.equals("p") || !rs.getBoolean("typisdefined")) {
                return; // a shell type: only exists while its base type is being defined
            }
            DumpItem item;
            String kindWord = "TYPE";
            switch (type) {
                case "e" -> {
                    item = ctx.graph.add(DumpItem.Kind.TYPE, "enum", qname);
                    enums.put(oid, item);
                }
                case "c" -> {
                    item = ctx.graph.add(DumpItem.Kind.TYPE, "composite type", qname);
                    composites.put(oid, item);
                    compositeRelations.put(oid, rs.getLong("typrelid"));
                    ctx.graph.bind(CatalogRef.of(CatalogRef.PG_CLASS, rs.getLong("typrelid")), item);
                }
                case "r" -> {
                    item = ctx.graph.add(DumpItem.Kind.TYPE, "range type", qname);
                    ranges.put(oid, qname);
                }
                case "d" -> {
                    item = ctx.graph.add(DumpItem.Kind.TYPE, "domain", qname);
                    kindWord = "DOMAIN";
                    StringBuilder sql = new StringBuilder("CREATE DOMAIN " + qname + " AS " + rs.getString("basetype"));
                    if (rs.getString("collation") != null) {
                        sql.append(" COLLATE ").append(rs.getString("collation"));
                    }
                    if (rs.getString("typdefault") != null) {
                        sql.append(" DEFAULT ").append(rs.getString("typdefault"));
                    }
                    domains.put(oid, item);
                    boolean notNull = rs.getBoolean("typnotnull") && ctx.version < 170000;
                    String base = sql.toString() + (notNull ? " NOT NULL" : "");
                    item.renderer(() -> List.of(base + domainClauses(item)));
                }
                default -> {
                    baseTypes.add(qname);
                    return;
                }
            }
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_TYPE, oid);
            ctx.graph.bind(ref, item);
            ctx.graph.bind(CatalogRef.of(CatalogRef.PG_TYPE, rs.getLong("typarray")), item);
            String target = kindWord + " " + qname;
            ctx.name(ref, item, target, target, kindWord.equals("DOMAIN") ? "DOMAIN " + qname : "TYPE " + qname);
        });
        if (!baseTypes.isEmpty()) {
            ctx.refusals.add("user-defined base types (written in C) are not supported: " + String.join(", ", baseTypes));
        }
        readEnumLabels(enums);
        readComposites(composites, compositeRelations);
        readRanges(ranges);
        readDomainConstraints(domains);
    }

    private final Map<DumpItem, List<DumpItem>> domainChecks = new HashMap<>();

    private String domainClauses(DumpItem domain) {
        StringBuilder sb = new StringBuilder();
        for (DumpItem check : domainChecks.getOrDefault(domain, List.of())) {
            if (check.inlined) {
                sb.append(inlineClause.get(check));
            }
        }
        return sb.toString();
    }

    private final Map<DumpItem, String> inlineClause = new HashMap<>();

    private void readEnumLabels(Map<Long, DumpItem> enums) throws SQLException {
        if (enums.isEmpty()) {
            return;
        }
        Map<Long, List<String>> labels = new HashMap<>();
        ctx.query("SELECT e.enumtypid, e.enumlabel FROM pg_catalog.pg_enum e JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid"
                + " WHERE " + ctx.inScope("t.typnamespace") + " ORDER BY e.enumtypid, e.enumsortorder",
                rs -> labels.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(SqlText.literal(rs.getString(2))));
        enums.forEach((oid, item) -> item.sql("CREATE TYPE " + item.sortName + " AS ENUM ("
                + String.join(", ", labels.getOrDefault(oid, List.of())) + ")"));
    }

    private void readComposites(Map<Long, DumpItem> composites, Map<Long, Long> relations) throws SQLException {
        if (composites.isEmpty()) {
            return;
        }
        Map<Long, List<String>> attributes = new HashMap<>();
        Map<Long, Map<Integer, String>> names = new HashMap<>();
        ctx.query("SELECT a.attrelid, a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,"
                + " CASE WHEN a.attcollation <> t.typcollation THEN"
                + "   (SELECT pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)"
                + "    FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
                + "    WHERE co.oid = a.attcollation) END AS collation"
                + " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
                + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
                + " WHERE c.relkind = 'c' AND " + ctx.inScope("c.relnamespace")
                + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum", rs -> {
            String col = SqlText.ident(rs.getString("attname"));
            String def = col + " " + rs.getString("type")
                    + (rs.getString("collation") != null ? " COLLATE " + rs.getString("collation") : "");
            attributes.computeIfAbsent(rs.getLong("attrelid"), k -> new ArrayList<>()).add(def);
            names.computeIfAbsent(rs.getLong("attrelid"), k -> new HashMap<>()).put(rs.getInt("attnum"), col);
        });
        composites.forEach((oid, item) -> {
            long rel = relations.get(oid);
            List<String> attrs = attributes.getOrDefault(rel, List.of());
            item.sql("CREATE TYPE " + item.sortName + " AS (" + (attrs.isEmpty() ? "" : "\n    ")
                    + String.join(",\n    ", attrs) + (attrs.isEmpty() ? "" : "\n") + ")");
            ctx.columns.put(rel, new CatalogContext.Columns(item, item.sortName, names.getOrDefault(rel, Map.of())));
        });
    }

    private void readRanges(Map<Long, String> ranges) throws SQLException {
        if (ranges.isEmpty()) {
            return;
        }
        String multirange = ctx.version >= 140000
                ? "(SELECT pg_catalog.quote_ident(mn.nspname) || '.' || pg_catalog.quote_ident(mt.typname)"
                + " FROM pg_catalog.pg_type mt JOIN pg_catalog.pg_namespace mn ON mn.oid = mt.typnamespace"
                + " WHERE mt.oid = r.rngmultitypid)"
                : "NULL::text";
        ctx.query("SELECT r.rngtypid, pg_catalog.format_type(r.rngsubtype, NULL) AS subtype, " + multirange + " AS multirange,"
                + " CASE WHEN NOT opc.opcdefault THEN pg_catalog.quote_ident(opn.nspname) || '.' || pg_catalog.quote_ident(opc.opcname) END AS opclass,"
                + " CASE WHEN r.rngcollation <> 0 AND r.rngcollation IS DISTINCT FROM st.typcollation THEN"
                + "   (SELECT pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname)"
                + "    FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
                + "    WHERE co.oid = r.rngcollation) END AS collation,"
                + " CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::pg_catalog.regproc::text END AS canonical,"
                + " CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::pg_catalog.regproc::text END AS subdiff"
                + " FROM pg_catalog.pg_range r JOIN pg_catalog.pg_type t ON t.oid = r.rngtypid"
                + " JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype"
                + " JOIN pg_catalog.pg_opclass opc ON opc.oid = r.rngsubopc"
                + " JOIN pg_catalog.pg_namespace opn ON opn.oid = opc.opcnamespace"
                + " WHERE " + ctx.inScope("t.typnamespace"), rs -> {
            long oid = rs.getLong("rngtypid");
            String qname = ranges.get(oid);
            if (qname == null) {
                return;
            }
            List<String> opts = new ArrayList<>();
            opts.add("subtype = " + rs.getString("subtype"));
            if (rs.getString("multirange") != null) {
                opts.add("multirange_type_name = " + rs.getString("multirange"));
            }
            if (rs.getString("opclass") != null) {
                opts.add("subtype_opclass = " + rs.getString("opclass"));
            }
            if (rs.getString("collation") != null) {
                opts.add("collation = " + rs.getString("collation"));
            }
            if (rs.getString("canonical") != null) {
                opts.add("canonical = " + rs.getString("canonical"));
            }
            if (rs.getString("subdiff") != null) {
                opts.add("subtype_diff = " + rs.getString("subdiff"));
            }
            DumpItem item = ctx.graph.resolve(CatalogRef.PG_TYPE, oid);
            item.sql("CREATE TYPE " + qname + " AS RANGE (\n    " + String.join(",\n    ", opts) + "\n)");
        });
        if (ctx.version >= 140000) {
            // the multirange type (and its array) resolve to the range type that creates them
            ctx.query("SELECT r.rngtypid, r.rngmultitypid, mt.typarray FROM pg_catalog.pg_range r"
                    + " JOIN pg_catalog.pg_type mt ON mt.oid = r.rngmultitypid"
                    + " JOIN pg_catalog.pg_type t ON t.oid = r.rngtypid WHERE " + ctx.inScope("t.typnamespace"), rs -> {
                DumpItem item = ctx.graph.resolve(CatalogRef.PG_TYPE, rs.getLong(1));
                if (item != null) {
                    ctx.graph.bind(CatalogRef.of(CatalogRef.PG_TYPE, rs.getLong(2)), item);
                    ctx.graph.bind(CatalogRef.of(CatalogRef.PG_TYPE, rs.getLong(3)), item);
                }
            });
        }
    }

    private void readDomainConstraints(Map<Long, DumpItem> domains) throws SQLException {
        if (domains.isEmpty()) {
            return;
        }
        ctx.query("SELECT co.oid, co.contypid, co.conname, co.contype, co.convalidated,"
                + " pg_catalog.pg_get_constraintdef(co.oid) AS def"
                + " FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_type t ON t.oid = co.contypid"
                + " WHERE co.contypid <> 0 AND " + ctx.inScope("t.typnamespace")
                + " ORDER BY co.contypid, co.conname", rs -> {
            DumpItem domain = domains.get(rs.getLong("contypid"));
            if (domain == null) {
                return;
            }
            String name = SqlText.ident(rs.getString("conname"));
            String def = rs.getString("def");
            DumpItem check = ctx.graph.add(DumpItem.Kind.DOMAIN_CONSTRAINT, null, domain.sortName + " " + name);
            check.dependsOn(domain);
            check.sql("ALTER DOMAIN " + domain.sortName + " ADD CONSTRAINT " + name + " " + def);
            if (!rs.getBoolean("convalidated")) {
                // like a table's NOT VALID CHECK: added after the data, which it must not judge
                check.section = Section.POST_DATA;
            } else {
                check.host = domain;
                inlineClause.put(check, " CONSTRAINT " + name + " " + def);
                domainChecks.computeIfAbsent(domain, k -> new ArrayList<>()).add(check);
            }
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_CONSTRAINT, rs.getLong("oid"));
            ctx.graph.bind(ref, check);
            ctx.name(ref, check, "CONSTRAINT " + name + " ON DOMAIN " + domain.sortName, null, null);
        });
    }

    private void readCollations() throws SQLException {
        String locale;
        if (ctx.version >= 170000) {
            locale = "c.colllocale";
        } else if (ctx.version >= 150000) {
            locale = "c.colliculocale";
        } else {
            locale = "NULL::text";
        }
        String rules = ctx.version >= 160000 ? "c.collicurules" : "NULL::text";
        ctx.query("SELECT c.oid, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.collname) AS qname,"
                + " c.collprovider, c.collisdeterministic, c.collcollate, c.collctype, " + locale + " AS locale, "
                + rules + " AS rules, pg_catalog.pg_get_userbyid(c.collowner) AS owner"
                + " FROM pg_catalog.pg_collation c JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace"
                + " WHERE " + ctx.inScope("c.collnamespace") + " ORDER BY 2", rs -> {
            long oid = rs.getLong("oid");
            if (ctx.isExtensionMember(CatalogRef.PG_COLLATION, oid)) {
                return;
            }
            String qname = rs.getString("qname");
            String provider = rs.getString("collprovider");
            List<String> opts = new ArrayList<>();
            String locale1 = rs.getString("locale");
            String collate = rs.getString("collcollate");
            String ctype = rs.getString("collctype");
            switch (provider) {
                case "i" -> {
                    opts.add("provider = icu");
                    opts.add("locale = " + SqlText.literal(locale1 != null ? locale1 : collate));
                }
                case "b" -> {
                    opts.add("provider = builtin");
                    opts.add("locale = " + SqlText.literal(locale1));
                }
                default -> {
                    opts.add("provider = libc");
                    if (collate != null && collate.equals(ctype)) {
                        opts.add("locale = " + SqlText.literal(collate));
                    } else {
                        opts.add("lc_collate = " + SqlText.literal(collate == null ? "" : collate));
                        opts.add("lc_ctype = " + SqlText.literal(ctype == null ? "" : ctype));
                    }
                }
            }
            if (!rs.getBoolean("collisdeterministic")) {
                opts.add("deterministic = false");
            }
            if (rs.getString("rules") != null) {
                opts.add("rules = " + SqlText.literal(rs.getString("rules")));
            }
            DumpItem item = ctx.graph.add(DumpItem.Kind.COLLATION, "collation", qname);
            item.sql("CREATE COLLATION " + qname + " (" + String.join(", ", opts) + ")");
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_COLLATION, oid);
            ctx.graph.bind(ref, item);
            ctx.name(ref, item, "COLLATION " + qname, "COLLATION " + qname, null);
        });
    }
}
