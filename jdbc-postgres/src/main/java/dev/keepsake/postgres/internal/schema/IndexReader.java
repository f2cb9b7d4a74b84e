package dev.keepsake.postgres.internal.schema;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Primary key, unique, exclusion and foreign key constraints; indexes (partitioned ones created ON ONLY the parent,
 * then each partition's index attached, as pg_dump does); CLUSTER ON, REPLICA IDENTITY USING INDEX; extended
 * statistics objects.
 */
final class IndexReader {

    private final CatalogContext ctx;
    private final RelationReader relations;
    /** Index OID to the item creating it (a constraint or an index). */
    private final Map<Long, DumpItem> indexItems = new HashMap<>();
    /** Index item to the items attaching its partitions' indexes. */
    private final Map<DumpItem, List<DumpItem>> indexAttaches = new HashMap<>();

    IndexReader(CatalogContext ctx, RelationReader relations) {
        this.ctx = ctx;
        this.relations = relations;
    }

    void read() throws SQLException {
        readConstraints();
        readIndexes();
        readIndexAttachments();
        readForeignKeys();
        readStatistics();
    }

    private void readConstraints() throws SQLException {
        ctx.query("SELECT co.oid, co.conrelid, co.conname, co.contype, co.conindid,"
                + " pg_catalog.pg_get_constraintdef(co.oid) AS def, c.relkind"
                + " FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class c ON c.oid = co.conrelid"
                + " WHERE co.contype IN ('p', 'u', 'x') AND " + ctx.inScope("c.relnamespace")
                + " ORDER BY co.conrelid, co.conname", rs -> {
            RelationReader.Rel r = relations.relations.get(rs.getLong("conrelid"));
            if (r == null) {
                return;
            }
            String name = SqlText.ident(rs.getString("conname"));
            String kind = switch (rs.getString("contype")) {
                case "p" -> "primary key";
                case "u" -> "unique constraint";
                default -> "exclusion constraint";
            };
            DumpItem item = ctx.graph.add(DumpItem.Kind.CONSTRAINT, kind, r.qname + " " + name);
            tableStatement(item, r, new TableDdl("ALTER TABLE ONLY ", " ADD CONSTRAINT " + name + " "
                    + rs.getString("def")));
            item.dependsOn(r.item);
            r.indexItems.add(item);
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_CONSTRAINT, rs.getLong("oid"));
            ctx.graph.bind(ref, item);
            ctx.graph.bind(CatalogRef.of(CatalogRef.PG_CLASS, rs.getLong("conindid")), item);
            indexItems.put(rs.getLong("conindid"), item);
            ctx.name(ref, item, "CONSTRAINT " + name + " ON " + r.qname, null, null);
        });
    }

    private void readIndexes() throws SQLException {
        ctx.query("SELECT i.indexrelid, i.indrelid, i.indisclustered, i.indisreplident, i.indisunique,"
                + " pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(ic.relname) AS qname,"
                + " pg_catalog.quote_ident(ic.relname) AS iname,"
                + " pg_catalog.pg_get_indexdef(i.indexrelid) AS def,"
                + " EXISTS (SELECT 1 FROM pg_catalog.pg_constraint co WHERE co.conindid = i.indexrelid"
                + "   AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x')) AS isconstraint,"
                + " (SELECT pg_catalog.array_agg(a.attnum || ' ' || a.attstattarget::int ORDER BY a.attnum)"
                + "   FROM pg_catalog.pg_attribute a WHERE a.attrelid = i.indexrelid AND a.attstattarget::int > 0) AS stats"
                + " FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid"
                + " JOIN pg_catalog.pg_class t ON t.oid = i.indrelid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace"
                + " WHERE " + ctx.inScope("t.relnamespace") + " AND (i.indisvalid OR t.relkind = 'p')"
                + " ORDER BY 5", rs -> {
            RelationReader.Rel r = relations.relations.get(rs.getLong("indrelid"));
            if (r == null) {
                return;
            }
            long indexOid = rs.getLong("indexrelid");
            String qname = rs.getString("qname");
            DumpItem item;
            if (rs.getBoolean("isconstraint")) {
                item = indexItems.get(indexOid);
                if (item == null) {
                    return;
                }
            } else {
                item = ctx.graph.add(DumpItem.Kind.INDEX, "index", qname);
                String def = rs.getString("def");
                // pg_get_indexdef writes CREATE [UNIQUE] INDEX <quote_ident(index)> ON <quote_ident(schema)>.
                // <quote_ident(table)> USING ...: kept in structured form, as the text around the table's name
                String head = "CREATE " + (rs.getBoolean("indisunique") ? "UNIQUE " : "") + "INDEX "
                        + rs.getString("iname") + " ON ";
                if (r.stageable && def.startsWith(head + r.qname + " USING ")) {
                    tableStatement(item, r, new TableDdl(head, def.substring(head.length() + r.qname.length())));
                } else {
                    item.sql(def);
                }
                item.dependsOn(r.item);
                r.indexItems.add(item);
                CatalogRef ref = CatalogRef.of(CatalogRef.PG_CLASS, indexOid);
                ctx.graph.bind(ref, item);
                indexItems.put(indexOid, item);
                ctx.name(ref, item, "INDEX " + qname, null, null);
            }
            String[] stats = CatalogContext.textArray(rs, "stats");
            if (stats != null) {
                for (String s : stats) {
                    String[] parts = s.split(" ");
                    item.sql("ALTER INDEX " + qname + " ALTER COLUMN " + parts[0] + " SET STATISTICS " + parts[1]);
                }
            }
            if (rs.getBoolean("indisclustered") || rs.getBoolean("indisreplident")) {
                DumpItem props = ctx.graph.add(DumpItem.Kind.TABLE_PROPERTIES, null, r.qname + " " + qname);
                String indexName = unqualified(qname);
                if (rs.getBoolean("indisclustered")) {
                    props.sql("ALTER TABLE " + r.qname + " CLUSTER ON " + indexName);
                }
                if (rs.getBoolean("indisreplident")) {
                    props.sql("ALTER TABLE ONLY " + r.qname + " REPLICA IDENTITY USING INDEX " + indexName);
                }
                props.dependsOn(item);
            }
        });
    }

    /**
     * Adds {@code ddl} on {@code r} as {@code item}'s first statement; on a table a restore may stage, the item keeps
     * it in structured form too (see {@link StagedBuild}).
     */
    private static void tableStatement(DumpItem item, RelationReader.Rel r, TableDdl ddl) {
        if (r.stageable) {
            item.tableDdl = ddl;
        }
        item.sql(r.render(ddl));
    }

    /** The second part of a quote_ident-qualified name {@code schema.name}. */
    private static String unqualified(String qname) {
        int i = 0;
        if (qname.charAt(0) == '"') {
            i = 1;
            while (true) {
                if (qname.charAt(i) == '"') {
                    if (i + 1 < qname.length() && qname.charAt(i + 1) == '"') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i++;
            }
            return qname.substring(i + 2);
        }
        return qname.substring(qname.indexOf('.') + 1);
    }

    private void readIndexAttachments() throws SQLException {
        ctx.query("SELECT inh.inhrelid, inh.inhparent,"
                + " pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(p.relname) AS parent,"
                + " pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS child"
                + " FROM pg_catalog.pg_inherits inh JOIN pg_catalog.pg_class c ON c.oid = inh.inhrelid"
                + " JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace"
                + " JOIN pg_catalog.pg_class p ON p.oid = inh.inhparent JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace"
                + " WHERE c.relkind IN ('i', 'I') AND " + ctx.inScope("c.relnamespace") + " ORDER BY 4", rs -> {
            DumpItem child = indexItems.get(rs.getLong("inhrelid"));
            DumpItem parent = indexItems.get(rs.getLong("inhparent"));
            if (child == null || parent == null) {
                return;
            }
            DumpItem attach = ctx.graph.add(DumpItem.Kind.INDEX_ATTACH, null, rs.getString("child"));
            attach.sql("ALTER INDEX " + rs.getString("parent") + " ATTACH PARTITION " + rs.getString("child"));
            attach.dependsOn(parent);
            attach.dependsOn(child);
            indexAttaches.computeIfAbsent(parent, k -> new ArrayList<>()).add(attach);
        });
    }

    private void readForeignKeys() throws SQLException {
        ctx.query("SELECT co.oid, co.conrelid, co.conname, co.conindid, pg_catalog.pg_get_constraintdef(co.oid) AS def"
                + " FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class c ON c.oid = co.conrelid"
                + " WHERE co.contype = 'f' AND co.conparentid = 0 AND " + ctx.inScope("c.relnamespace")
                + " ORDER BY co.conrelid, co.conname", rs -> {
            RelationReader.Rel r = relations.relations.get(rs.getLong("conrelid"));
            if (r == null) {
                return;
            }
            String name = SqlText.ident(rs.getString("conname"));
            DumpItem item = ctx.graph.add(DumpItem.Kind.FOREIGN_KEY, "foreign key", r.qname + " " + name);
            // ONLY is not allowed for a foreign key on a partitioned table (it applies to the partitions too)
            item.sql("ALTER TABLE " + (r.kind.equals("p") ? "" : "ONLY ") + r.qname + " ADD CONSTRAINT " + name + " "
                    + rs.getString("def"));
            item.dependsOn(r.item);
            DumpItem index = indexItems.get(rs.getLong("conindid"));
            // a partitioned unique index is usable only once every partition's index is attached
            addWithAttaches(item, index);
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_CONSTRAINT, rs.getLong("oid"));
            ctx.graph.bind(ref, item);
            ctx.name(ref, item, "CONSTRAINT " + name + " ON " + r.qname, null, null);
        });
    }

    private void addWithAttaches(DumpItem item, DumpItem index) {
        if (index == null) {
            return;
        }
        item.dependsOn(index);
        for (DumpItem attach : indexAttaches.getOrDefault(index, List.of())) {
            item.dependsOn(attach);
            for (DumpItem childIndex : attach.deps) {
                if (childIndex != index) {
                    addWithAttaches(item, childIndex);
                }
            }
        }
    }

    private void readStatistics() throws SQLException {
        String target = ctx.version >= 170000 ? "COALESCE(s.stxstattarget::int, -1)" : "s.stxstattarget::int";
        ctx.query("SELECT s.oid, s.stxrelid, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(s.stxname) AS qname,"
                + " pg_catalog.pg_get_statisticsobjdef(s.oid) AS def, " + target + " AS target"
                + " FROM pg_catalog.pg_statistic_ext s JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace"
                + " WHERE " + ctx.inScope("s.stxnamespace") + " ORDER BY 3", rs -> {
            RelationReader.Rel r = relations.relations.get(rs.getLong("stxrelid"));
            long oid = rs.getLong("oid");
            if (r == null || ctx.isExtensionMember(CatalogRef.PG_STATISTIC_EXT, oid)) {
                return;
            }
            String qname = rs.getString("qname");
            DumpItem item = ctx.graph.add(DumpItem.Kind.STATISTICS, "statistics", qname);
            item.sql(rs.getString("def"));
            if (rs.getInt("target") >= 0) {
                item.sql("ALTER STATISTICS " + qname + " SET STATISTICS " + rs.getInt("target"));
            }
            item.dependsOn(r.item);
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_STATISTIC_EXT, oid);
            ctx.graph.bind(ref, item);
            ctx.name(ref, item, "STATISTICS " + qname, "STATISTICS " + qname, null);
        });
    }
}
