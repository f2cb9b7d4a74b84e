package dev.keepsake.postgres.internal.schema;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Operator families (with their loose members) and operator classes defined in the schemas in scope, outside
 * extensions. Like pg_dump: every family is created explicitly, and a class names its family only when the names
 * differ (CREATE OPERATOR CLASS reuses an existing family of its own name).
 */
final class OperatorClassReader {

    private final CatalogContext ctx;

    OperatorClassReader(CatalogContext ctx) {
        this.ctx = ctx;
    }

    void read() throws SQLException {
        Map<Long, DumpItem> families = new HashMap<>();
        Map<Long, String> familyHeads = new HashMap<>();
        ctx.query("SELECT f.oid, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(f.opfname) AS qname,"
                + " pg_catalog.quote_ident(am.amname) AS am"
                + " FROM pg_catalog.pg_opfamily f JOIN pg_catalog.pg_namespace n ON n.oid = f.opfnamespace"
                + " JOIN pg_catalog.pg_am am ON am.oid = f.opfmethod"
                + " WHERE " + ctx.inScope("f.opfnamespace") + " ORDER BY 2, 3", rs -> {
            long oid = rs.getLong("oid");
            if (ctx.isExtensionMember(CatalogRef.PG_OPFAMILY, oid)) {
                return;
            }
            String signature = rs.getString("qname") + " USING " + rs.getString("am");
            DumpItem item = ctx.graph.add(DumpItem.Kind.OPERATOR_FAMILY, "operator family", signature);
            item.sql("CREATE OPERATOR FAMILY " + signature);
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_OPFAMILY, oid);
            ctx.graph.bind(ref, item);
            ctx.name(ref, item, "OPERATOR FAMILY " + signature, "OPERATOR FAMILY " + signature, null);
            families.put(oid, item);
            familyHeads.put(oid, signature);
        });
        Map<Long, DumpItem> classes = new HashMap<>();
        ctx.query("SELECT c.oid, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.opcname) AS qname,"
                + " c.opcname, n.nspname, pg_catalog.quote_ident(am.amname) AS am, c.opcdefault,"
                + " pg_catalog.format_type(c.opcintype, NULL) AS intype,"
                + " CASE WHEN c.opckeytype <> 0 THEN pg_catalog.format_type(c.opckeytype, NULL) END AS keytype,"
                + " f.opfname, fn.nspname AS opfnspname, c.opcfamily,"
                + " pg_catalog.quote_ident(fn.nspname) || '.' || pg_catalog.quote_ident(f.opfname) AS family"
                + " FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_namespace n ON n.oid = c.opcnamespace"
                + " JOIN pg_catalog.pg_am am ON am.oid = c.opcmethod"
                + " JOIN pg_catalog.pg_opfamily f ON f.oid = c.opcfamily JOIN pg_catalog.pg_namespace fn ON fn.oid = f.opfnamespace"
                + " WHERE " + ctx.inScope("c.opcnamespace") + " ORDER BY 2, 5", rs -> {
            long oid = rs.getLong("oid");
            if (ctx.isExtensionMember(CatalogRef.PG_OPCLASS, oid)) {
                return;
            }
            String signature = rs.getString("qname") + " USING " + rs.getString("am");
            StringBuilder head = new StringBuilder("CREATE OPERATOR CLASS " + rs.getString("qname"));
            if (rs.getBoolean("opcdefault")) {
                head.append(" DEFAULT");
            }
            head.append(" FOR TYPE ").append(rs.getString("intype")).append(" USING ").append(rs.getString("am"));
            if (!rs.getString("opfname").equals(rs.getString("opcname"))
                    || !rs.getString("opfnspname").equals(rs.getString("nspname"))) {
                head.append(" FAMILY ").append(rs.getString("family"));
            }
            DumpItem item = ctx.graph.add(DumpItem.Kind.OPERATOR_CLASS, "operator class", signature);
            String keyType = rs.getString("keytype");
            String headText = head.toString();
            List<String> members = new ArrayList<>();
            if (keyType != null) {
                members.add("STORAGE " + keyType);
            }
            item.renderer(() -> List.of(headText + " AS\n    " + String.join(",\n    ", members)));
            memberLists.put(item, members);
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_OPCLASS, oid);
            ctx.graph.bind(ref, item);
            ctx.name(ref, item, "OPERATOR CLASS " + signature, "OPERATOR CLASS " + signature, null);
            classes.put(oid, item);
            item.dependsOn(families.get(rs.getLong("opcfamily")));
        });
        if (families.isEmpty() && classes.isEmpty()) {
            return;
        }
        // members tied to a class (pg_depend on pg_opclass) go into CREATE OPERATOR CLASS; members tied to a family
        // only are its "loose" members, added with ALTER OPERATOR FAMILY
        ctx.query("SELECT d.refclassid, d.refobjid, d.classid AS memberclass, d.objid AS memberoid, 'OPERATOR ' || o.amopstrategy || ' ' || o.amopopr::pg_catalog.regoperator::text"
                + " || CASE WHEN o.amoppurpose = 'o' THEN ' FOR ORDER BY ' || pg_catalog.quote_ident(sn.nspname) || '.'"
                + "   || pg_catalog.quote_ident(sf.opfname) ELSE '' END AS member, 1 AS kind, o.amopstrategy AS number,"
                + " pg_catalog.format_type(o.amoplefttype, NULL) AS lefttype, pg_catalog.format_type(o.amoprighttype, NULL) AS righttype"
                + " FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_amop o ON o.oid = d.objid"
                + " LEFT JOIN pg_catalog.pg_opfamily sf ON sf.oid = o.amopsortfamily LEFT JOIN pg_catalog.pg_namespace sn ON sn.oid = sf.opfnamespace"
                + " WHERE d.classid = 'pg_catalog.pg_amop'::pg_catalog.regclass"
                + "   AND d.refclassid IN ('pg_catalog.pg_opclass'::pg_catalog.regclass, 'pg_catalog.pg_opfamily'::pg_catalog.regclass)"
                + " UNION ALL"
                + " SELECT d.refclassid, d.refobjid, d.classid, d.objid, 'FUNCTION ' || p.amprocnum || ' (' || pg_catalog.format_type(p.amproclefttype, NULL)"
                + " || ', ' || pg_catalog.format_type(p.amprocrighttype, NULL) || ') ' || p.amproc::pg_catalog.regprocedure::text,"
                + " 2, p.amprocnum, pg_catalog.format_type(p.amproclefttype, NULL), pg_catalog.format_type(p.amprocrighttype, NULL)"
                + " FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_amproc p ON p.oid = d.objid"
                + " WHERE d.classid = 'pg_catalog.pg_amproc'::pg_catalog.regclass"
                + "   AND d.refclassid IN ('pg_catalog.pg_opclass'::pg_catalog.regclass, 'pg_catalog.pg_opfamily'::pg_catalog.regclass)"
                + " ORDER BY 1, 2, 6, 8, 9, 7", rs -> {
            long refClass = rs.getLong(1);
            long owner = rs.getLong(2);
            String member = rs.getString("member");
            CatalogRef memberRef = CatalogRef.of(rs.getLong("memberclass"), rs.getLong("memberoid"));
            if (refClass == CatalogRef.PG_OPCLASS) {
                DumpItem item = classes.get(owner);
                if (item != null) {
                    memberLists.get(item).add(member);
                    ctx.graph.bind(memberRef, item); // so the operators and functions it uses come first
                }
            } else {
                DumpItem family = families.get(owner);
                if (family != null) {
                    family.sql("ALTER OPERATOR FAMILY " + familyHeads.get(owner) + " ADD\n    " + member);
                    ctx.graph.bind(memberRef, family);
                }
            }
        });
    }

    private final Map<DumpItem, List<String>> memberLists = new HashMap<>();
}
