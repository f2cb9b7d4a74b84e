package dev.keepsake.postgres.internal.schema;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sequences: CREATE SEQUENCE with every option, OWNED BY, identity sequences (created by their column, see
 * {@link RelationReader}), and every sequence's current value as a setval after the data.
 */
final class SequenceReader {

    private final CatalogContext ctx;
    private final RelationReader relations;

    SequenceReader(CatalogContext ctx, RelationReader relations) {
        this.ctx = ctx;
        this.relations = relations;
    }

    void read() throws SQLException {
        String unlogged = ctx.version >= 150000 ? "c.relpersistence" : "'p'::\"char\"";
        Map<Long, String[]> sequenceRows = new LinkedHashMap<>();
        ctx.query("SELECT c.oid, n.nspname, c.relname,"
                + " pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS qname,"
                + " pg_catalog.format_type(s.seqtypid, NULL) AS type, s.seqstart, s.seqincrement, s.seqmin, s.seqmax,"
                + " s.seqcache, s.seqcycle, " + unlogged + " AS persistence,"
                + " d.refobjid AS ownertable, d.refobjsubid AS ownercolumn, d.deptype"
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid"
                + " LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid"
                + "   AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i')"
                + " WHERE c.relkind = 'S' AND " + ctx.inScope("c.relnamespace")
                + " ORDER BY n.nspname, c.relname", rs -> {
            long oid = rs.getLong("oid");
            if (ctx.isExtensionMember(CatalogRef.PG_CLASS, oid)) {
                return;
            }
            String qname = rs.getString("qname");
            String options = "START WITH " + rs.getString("seqstart")
                    + "\n    INCREMENT BY " + rs.getString("seqincrement")
                    + "\n    MINVALUE " + rs.getString("seqmin")
                    + "\n    MAXVALUE " + rs.getString("seqmax")
                    + "\n    CACHE " + rs.getString("seqcache")
                    + (rs.getBoolean("seqcycle") ? "\n    CYCLE" : "");
            long ownerTable = rs.getLong("ownertable");
            boolean owned = !rs.wasNull();
            String deptype = rs.getString("deptype");
            RelationReader.Rel table = owned ? relations.relations.get(ownerTable) : null;
            if (owned && "i".equals(deptype)) {
                // an identity sequence: created by its column's GENERATED ... AS IDENTITY
                if (table == null) {
                    return;
                }
                RelationReader.Col c = table.columns.get(rs.getInt("ownercolumn"));
                if (c != null) {
                    c.identityOptions = "SEQUENCE NAME " + qname + "\n    " + options;
                }
                CatalogRef ref = CatalogRef.of(CatalogRef.PG_CLASS, oid);
                ctx.graph.bind(ref, table.item);
                // its owner follows the table's; comments and grants are its own
                ctx.name(ref, table.item, "SEQUENCE " + qname, null, "SEQUENCE " + qname);
                sequenceRows.put(oid, new String[] {qname});
                return;
            }
            DumpItem seq = ctx.graph.add(DumpItem.Kind.SEQUENCE, "sequence", qname);
            seq.sql("CREATE " + ("u".equals(rs.getString("persistence")) ? "UNLOGGED " : "") + "SEQUENCE " + qname
                    + "\n    AS " + rs.getString("type") + "\n    " + options);
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_CLASS, oid);
            ctx.graph.bind(ref, seq);
            ctx.name(ref, seq, "SEQUENCE " + qname, "SEQUENCE " + qname, "SEQUENCE " + qname);
            sequenceRows.put(oid, new String[] {qname});
            if (table != null) {
                RelationReader.Col c = table.columns.get(rs.getInt("ownercolumn"));
                if (c != null) {
                    DumpItem ownedBy = ctx.graph.add(DumpItem.Kind.SEQUENCE_OWNED_BY, null, qname);
                    ownedBy.sql("ALTER SEQUENCE " + qname + " OWNED BY " + table.qname + "." + c.quoted);
                    ownedBy.dependsOn(seq);
                    ownedBy.dependsOn(table.item);
                }
            }
        });
        readSequenceValues(sequenceRows);
    }

    /** Reads every sequence's state from the sequence relations themselves, in batched UNION ALL queries. */
    private void readSequenceValues(Map<Long, String[]> sequences) throws SQLException {
        List<Map.Entry<Long, String[]>> all = new ArrayList<>(sequences.entrySet());
        final int batch = 200;
        for (int from = 0; from < all.size(); from += batch) {
            List<Map.Entry<Long, String[]>> part = all.subList(from, Math.min(all.size(), from + batch));
            StringBuilder sql = new StringBuilder();
            for (Map.Entry<Long, String[]> e : part) {
                if (sql.length() > 0) {
                    sql.append(" UNION ALL ");
                }
                sql.append("SELECT ").append(e.getKey()).append("::pg_catalog.int8, last_value, is_called FROM ")
                        .append(e.getValue()[0]);
            }
            ctx.query(sql.toString(), rs -> {
                String qname = sequences.get(rs.getLong(1))[0];
                DumpItem set = ctx.graph.add(DumpItem.Kind.SEQUENCE_SET, null, qname);
                set.sql("SELECT pg_catalog.setval(" + SqlText.literal(qname) + ", " + rs.getString(2) + ", "
                        + rs.getBoolean(3) + ")");
                set.dependsOn(ctx.graph.resolve(CatalogRef.PG_CLASS, rs.getLong(1)));
            });
        }
    }
}
