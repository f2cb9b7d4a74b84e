package dev.keepsake.postgres.internal.schema;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Functions, procedures, aggregates, operators, operator classes and families, and casts. */
final class RoutineReader {

    private final CatalogContext ctx;

    RoutineReader(CatalogContext ctx) {
        this.ctx = ctx;
    }

    void read() throws SQLException {
        readFunctions();
        readAggregates();
        readOperators();
        readCasts();
    }

    private void readFunctions() throws SQLException {
        ctx.query("SELECT p.oid, p.prokind, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname) AS qname,"
                + " pg_catalog.pg_get_function_identity_arguments(p.oid) AS args,"
                + " pg_catalog.pg_get_functiondef(p.oid) AS def"
                + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE p.prokind <> 'a' AND " + ctx.inScope("p.pronamespace")
                + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass"
                + "   AND d.objid = p.oid AND d.deptype IN ('e', 'i'))"
                + " ORDER BY 3, 4", rs -> {
            String qname = rs.getString("qname");
            String signature = qname + "(" + rs.getString("args") + ")";
            boolean procedure = "p".equals(rs.getString("prokind"));
            DumpItem item = ctx.graph.add(DumpItem.Kind.FUNCTION, procedure ? "procedure" : "function", signature);
            String def = rs.getString("def").stripTrailing();
            // plain CREATE, like pg_dump: a function left over in the target must fail loudly, not be merged
            if (def.startsWith("CREATE OR REPLACE ")) {
                def = "CREATE " + def.substring("CREATE OR REPLACE ".length());
            }
            item.sql(def);
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_PROC, rs.getLong("oid"));
            ctx.graph.bind(ref, item);
            String target = (procedure ? "PROCEDURE " : "FUNCTION ") + signature;
            ctx.name(ref, item, target, target, target);
        });
    }

    private void readAggregates() throws SQLException {
        String finalModify = "a.aggfinalmodify, a.aggmfinalmodify";
        ctx.query("SELECT p.oid, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname) AS qname,"
                + " pg_catalog.pg_get_function_arguments(p.oid) AS args,"
                + " pg_catalog.pg_get_function_identity_arguments(p.oid) AS identargs,"
                + " a.aggkind, a.aggtransfn::pg_catalog.regproc::text AS sfunc,"
                + " pg_catalog.format_type(a.aggtranstype, NULL) AS stype, a.aggtransspace,"
                + " CASE WHEN a.aggfinalfn <> 0 THEN a.aggfinalfn::pg_catalog.regproc::text END AS finalfunc,"
                + " a.aggfinalextra,"
                + " CASE WHEN a.aggcombinefn <> 0 THEN a.aggcombinefn::pg_catalog.regproc::text END AS combinefunc,"
                + " CASE WHEN a.aggserialfn <> 0 THEN a.aggserialfn::pg_catalog.regproc::text END AS serialfunc,"
                + " CASE WHEN a.aggdeserialfn <> 0 THEN a.aggdeserialfn::pg_catalog.regproc::text END AS deserialfunc,"
                + " a.agginitval,"
                + " CASE WHEN a.aggmtransfn <> 0 THEN a.aggmtransfn::pg_catalog.regproc::text END AS msfunc,"
                + " CASE WHEN a.aggminvtransfn <> 0 THEN a.aggminvtransfn::pg_catalog.regproc::text END AS minvfunc,"
                + " CASE WHEN a.aggmtranstype <> 0 THEN pg_catalog.format_type(a.aggmtranstype, NULL) END AS mstype,"
                + " a.aggmtransspace,"
                + " CASE WHEN a.aggmfinalfn <> 0 THEN a.aggmfinalfn::pg_catalog.regproc::text END AS mfinalfunc,"
                + " a.aggmfinalextra, a.aggminitval, " + finalModify + ","
                + " CASE WHEN a.aggsortop <> 0 THEN (SELECT 'OPERATOR(' || pg_catalog.quote_ident(opn.nspname) || '.' || o.oprname || ')'"
                + "   FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace opn ON opn.oid = o.oprnamespace WHERE o.oid = a.aggsortop) END AS sortop,"
                + " p.proparallel"
                + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = p.oid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE " + ctx.inScope("p.pronamespace") + " ORDER BY 2, 4", rs -> {
            long oid = rs.getLong("oid");
            if (ctx.isExtensionMember(CatalogRef.PG_PROC, oid)) {
                return;
            }
            String qname = rs.getString("qname");
            String signature = qname + "(" + emptyAsStar(rs.getString("identargs")) + ")";
            DumpItem item = ctx.graph.add(DumpItem.Kind.AGGREGATE, "aggregate", signature);
            item.sql("CREATE AGGREGATE " + qname + "(" + emptyAsStar(rs.getString("args")) + ") (\n    "
                    + String.join(",\n    ", aggregateOptions(rs)) + "\n)");
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_PROC, oid);
            ctx.graph.bind(ref, item);
            String target = "AGGREGATE " + signature;
            ctx.name(ref, item, target, target, "FUNCTION " + qname + "(" + rs.getString("identargs") + ")");
        });
    }

    private static String emptyAsStar(String args) {
        return args == null || args.isEmpty() ? "*" : args;
    }

    private static List<String> aggregateOptions(ResultSet rs) throws SQLException {
        List<String> o = new ArrayList<>();
        String kind = rs.getString("aggkind");
        o.add("SFUNC = " + rs.getString("sfunc"));
        o.add("STYPE = " + rs.getString("stype"));
        if (rs.getInt("aggtransspace") != 0) {
            o.add("SSPACE = " + rs.getInt("aggtransspace"));
        }
        if (rs.getString("finalfunc") != null) {
            o.add("FINALFUNC = " + rs.getString("finalfunc"));
            if (rs.getBoolean("aggfinalextra")) {
                o.add("FINALFUNC_EXTRA");
            }
        }
        String defaultModify = kind.equals("n") ? "r" : "w";
        String modify = rs.getString("aggfinalmodify");
        if (modify != null && !modify.equals(defaultModify)) {
            o.add("FINALFUNC_MODIFY = " + modifyWord(modify));
        }
        if (rs.getString("combinefunc") != null) {
            o.add("COMBINEFUNC = " + rs.getString("combinefunc"));
        }
        if (rs.getString("serialfunc") != null) {
            o.add("SERIALFUNC = " + rs.getString("serialfunc"));
        }
        if (rs.getString("deserialfunc") != null) {
            o.add("DESERIALFUNC = " + rs.getString("deserialfunc"));
        }
        if (rs.getString("agginitval") != null) {
            o.add("INITCOND = " + SqlText.literal(rs.getString("agginitval")));
        }
        if (rs.getString("msfunc") != null) {
            o.add("MSFUNC = " + rs.getString("msfunc"));
            o.add("MINVFUNC = " + rs.getString("minvfunc"));
            o.add("MSTYPE = " + rs.getString("mstype"));
            if (rs.getInt("aggmtransspace") != 0) {
                o.add("MSSPACE = " + rs.getInt("aggmtransspace"));
            }
            if (rs.getString("mfinalfunc") != null) {
                o.add("MFINALFUNC = " + rs.getString("mfinalfunc"));
                if (rs.getBoolean("aggmfinalextra")) {
                    o.add("MFINALFUNC_EXTRA");
                }
            }
            String mmodify = rs.getString("aggmfinalmodify");
            if (mmodify != null && !mmodify.equals(defaultModify)) {
                o.add("MFINALFUNC_MODIFY = " + modifyWord(mmodify));
            }
            if (rs.getString("aggminitval") != null) {
                o.add("MINITCOND = " + SqlText.literal(rs.getString("aggminitval")));
            }
        }
        if (rs.getString("sortop") != null) {
            o.add("SORTOP = " + rs.getString("sortop"));
        }
        if (kind.equals("h")) {
            o.add("HYPOTHETICAL");
        }
        String parallel = rs.getString("proparallel");
        if ("s".equals(parallel)) {
            o.add("PARALLEL = safe");
        } else if ("r".equals(parallel)) {
            o.add("PARALLEL = restricted");
        }
        return o;
    }

    private static String modifyWord(String code) {
        return switch (code) {
            case "r" -> "READ_ONLY";
            case "s" -> "SHAREABLE";
            default -> "READ_WRITE";
        };
    }

    private void readOperators() throws SQLException {
        ctx.query("SELECT o.oid, pg_catalog.quote_ident(n.nspname) AS nsp, o.oprname,"
                + " o.oprcode::pg_catalog.regproc::text AS func,"
                + " CASE WHEN o.oprleft <> 0 THEN pg_catalog.format_type(o.oprleft, NULL) END AS lefttype,"
                + " CASE WHEN o.oprright <> 0 THEN pg_catalog.format_type(o.oprright, NULL) END AS righttype,"
                + " (SELECT 'OPERATOR(' || pg_catalog.quote_ident(cn.nspname) || '.' || c.oprname || ')' FROM pg_catalog.pg_operator c"
                + "   JOIN pg_catalog.pg_namespace cn ON cn.oid = c.oprnamespace WHERE c.oid = o.oprcom) AS commutator,"
                + " (SELECT 'OPERATOR(' || pg_catalog.quote_ident(cn.nspname) || '.' || c.oprname || ')' FROM pg_catalog.pg_operator c"
                + "   JOIN pg_catalog.pg_namespace cn ON cn.oid = c.oprnamespace WHERE c.oid = o.oprnegate) AS negator,"
                + " CASE WHEN o.oprrest <> 0 THEN o.oprrest::pg_catalog.regproc::text END AS restrict,"
                + " CASE WHEN o.oprjoin <> 0 THEN o.oprjoin::pg_catalog.regproc::text END AS join,"
                + " o.oprcanhash, o.oprcanmerge"
                + " FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace"
                + " WHERE " + ctx.inScope("o.oprnamespace") + " ORDER BY 2, 3, 5, 6", rs -> {
            long oid = rs.getLong("oid");
            if (ctx.isExtensionMember(CatalogRef.PG_OPERATOR, oid)) {
                return;
            }
            String qname = rs.getString("nsp") + "." + rs.getString("oprname");
            String left = rs.getString("lefttype");
            String right = rs.getString("righttype");
            List<String> opts = new ArrayList<>();
            opts.add("FUNCTION = " + rs.getString("func"));
            if (left != null) {
                opts.add("LEFTARG = " + left);
            }
            if (right != null) {
                opts.add("RIGHTARG = " + right);
            }
            if (rs.getString("commutator") != null) {
                opts.add("COMMUTATOR = " + rs.getString("commutator"));
            }
            if (rs.getString("negator") != null) {
                opts.add("NEGATOR = " + rs.getString("negator"));
            }
            if (rs.getString("restrict") != null) {
                opts.add("RESTRICT = " + rs.getString("restrict"));
            }
            if (rs.getString("join") != null) {
                opts.add("JOIN = " + rs.getString("join"));
            }
            if (rs.getBoolean("oprcanhash")) {
                opts.add("HASHES");
            }
            if (rs.getBoolean("oprcanmerge")) {
                opts.add("MERGES");
            }
            String signature = qname + " (" + (left == null ? "NONE" : left) + ", " + (right == null ? "NONE" : right) + ")";
            DumpItem item = ctx.graph.add(DumpItem.Kind.OPERATOR, "operator", signature);
            item.sql("CREATE OPERATOR " + qname + " (\n    " + String.join(",\n    ", opts) + "\n)");
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_OPERATOR, oid);
            ctx.graph.bind(ref, item);
            ctx.name(ref, item, "OPERATOR " + signature, "OPERATOR " + signature, null);
        });
        new OperatorClassReader(ctx).read();
    }

    private void readCasts() throws SQLException {
        ctx.query("SELECT c.oid, pg_catalog.format_type(c.castsource, NULL) AS source,"
                + " pg_catalog.format_type(c.casttarget, NULL) AS target, c.castmethod, c.castcontext,"
                + " CASE WHEN c.castfunc <> 0 THEN (SELECT pg_catalog.quote_ident(fn.nspname) || '.' || pg_catalog.quote_ident(f.proname)"
                + "   || '(' || pg_catalog.pg_get_function_identity_arguments(f.oid) || ')'"
                + "   FROM pg_catalog.pg_proc f JOIN pg_catalog.pg_namespace fn ON fn.oid = f.pronamespace WHERE f.oid = c.castfunc) END AS func,"
                + " (SELECT f.pronamespace FROM pg_catalog.pg_proc f WHERE f.oid = c.castfunc) AS funcnsp,"
                + " st.typnamespace AS sourcensp, tt.typnamespace AS targetnsp"
                + " FROM pg_catalog.pg_cast c JOIN pg_catalog.pg_type st ON st.oid = c.castsource"
                + " JOIN pg_catalog.pg_type tt ON tt.oid = c.casttarget"
                + " WHERE c.oid >= 16384"
                // range to multirange casts come with the range type
                + (ctx.version >= 140000 ? " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_range r"
                + "   WHERE r.rngtypid = c.castsource AND r.rngmultitypid = c.casttarget)" : "")
                + " ORDER BY 2, 3", rs -> {
            long oid = rs.getLong("oid");
            if (ctx.isExtensionMember(CatalogRef.PG_CAST, oid)) {
                return;
            }
            // like pg_dump: a cast is ours when its function, or failing that one of its types, is in a schema we cover
            long funcNsp = rs.getLong("funcnsp");
            boolean ours = rs.wasNull()
                    ? ctx.schemaNames.containsKey(rs.getLong("sourcensp")) || ctx.schemaNames.containsKey(rs.getLong("targetnsp"))
                    : ctx.schemaNames.containsKey(funcNsp);
            if (!ours) {
                return;
            }
            String signature = "(" + rs.getString("source") + " AS " + rs.getString("target") + ")";
            String method = switch (rs.getString("castmethod")) {
                case "f" -> "WITH FUNCTION " + rs.getString("func");
                case "i" -> "WITH INOUT";
                default -> "WITHOUT FUNCTION";
            };
            String context = switch (rs.getString("castcontext")) {
                case "a" -> " AS ASSIGNMENT";
                case "i" -> " AS IMPLICIT";
                default -> "";
            };
            DumpItem item = ctx.graph.add(DumpItem.Kind.CAST, "cast", signature);
            item.sql("CREATE CAST " + signature + " " + method + context);
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_CAST, oid);
            ctx.graph.bind(ref, item);
            ctx.name(ref, item, "CAST " + signature, null, null);
        });
    }
}
