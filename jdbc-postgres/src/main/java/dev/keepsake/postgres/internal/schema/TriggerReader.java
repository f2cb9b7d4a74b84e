package dev.keepsake.postgres.internal.schema;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** Triggers (with enable state), rules (with enable state), row-level security policies, and event triggers. */
final class TriggerReader {

    private final CatalogContext ctx;
    private final RelationReader relations;

    TriggerReader(CatalogContext ctx, RelationReader relations) {
        this.ctx = ctx;
        this.relations = relations;
    }

    void read() throws SQLException {
        readTriggers();
        readRules();
        readPolicies();
        readEventTriggers();
    }

    private static String enableClause(String state, String what) {
        return switch (state) {
            case "D" -> " DISABLE " + what + " ";
            case "R" -> " ENABLE REPLICA " + what + " ";
            case "A" -> " ENABLE ALWAYS " + what + " ";
            default -> null;
        };
    }

    private void readTriggers() throws SQLException {
        Map<Long, DumpItem> triggerItems = new HashMap<>();
        ctx.query("SELECT t.oid, t.tgrelid, t.tgname, t.tgenabled, t.tgparentid, t.tgisinternal,"
                + " pg_catalog.pg_get_triggerdef(t.oid, false) AS def,"
                + " (SELECT p.tgenabled FROM pg_catalog.pg_trigger p WHERE p.oid = t.tgparentid) AS parentenabled"
                + " FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid"
                + " WHERE " + ctx.inScope("c.relnamespace")
                + " AND ((NOT t.tgisinternal AND t.tgparentid = 0) OR t.tgparentid <> 0)"
                + " ORDER BY t.tgparentid <> 0, t.tgrelid, t.tgname", rs -> {
            RelationReader.Rel r = relations.relations.get(rs.getLong("tgrelid"));
            if (r == null) {
                return;
            }
            String name = SqlText.ident(rs.getString("tgname"));
            String state = rs.getString("tgenabled");
            long parent = rs.getLong("tgparentid");
            if (parent != 0) {
                // a partition's clone of its parent's trigger: only its enable state can differ
                if (!state.equals(rs.getString("parentenabled"))) {
                    String clause = state.equals("O") ? " ENABLE TRIGGER " : enableClause(state, "TRIGGER");
                    DumpItem item = ctx.graph.add(DumpItem.Kind.TRIGGER, null, r.qname + " " + name);
                    item.sql("ALTER TABLE ONLY " + r.qname + clause + name);
                    item.dependsOn(r.item);
                    item.dependsOn(triggerItems.get(parent));
                }
                return;
            }
            DumpItem item = ctx.graph.add(DumpItem.Kind.TRIGGER, "trigger", r.qname + " " + name);
            item.sql(rs.getString("def"));
            String clause = enableClause(state, "TRIGGER");
            if (clause != null) {
                item.sql("ALTER TABLE " + r.qname + clause + name);
            }
            item.dependsOn(r.item);
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_TRIGGER, rs.getLong("oid"));
            ctx.graph.bind(ref, item);
            triggerItems.put(rs.getLong("oid"), item);
            ctx.name(ref, item, "TRIGGER " + name + " ON " + r.qname, null, null);
        });
    }

    private void readRules() throws SQLException {
        ctx.query("SELECT r.oid, r.ev_class, r.rulename, r.ev_enabled,"
                + " CASE WHEN r.rulename <> '_RETURN' THEN pg_catalog.pg_get_ruledef(r.oid) END AS def"
                + " FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class"
                + " WHERE " + ctx.inScope("c.relnamespace") + " ORDER BY r.ev_class, r.rulename", rs -> {
            RelationReader.Rel rel = relations.relations.get(rs.getLong("ev_class"));
            if (rel == null) {
                return;
            }
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_REWRITE, rs.getLong("oid"));
            if (rs.getString("def") == null) {
                // a view's SELECT rule is the view's query
                ctx.graph.bind(ref, relations.viewDefinitions.getOrDefault(rel.item, rel.item));
                return;
            }
            String name = SqlText.ident(rs.getString("rulename"));
            DumpItem item = ctx.graph.add(DumpItem.Kind.RULE, "rule", rel.qname + " " + name);
            item.sql(SqlText.stripSemicolon(rs.getString("def")));
            String clause = enableClause(rs.getString("ev_enabled"), "RULE");
            if (clause != null) {
                item.sql("ALTER TABLE " + rel.qname + clause + name);
            }
            item.dependsOn(rel.item);
            ctx.graph.bind(ref, item);
            ctx.name(ref, item, "RULE " + name + " ON " + rel.qname, null, null);
        });
    }

    private void readPolicies() throws SQLException {
        ctx.query("SELECT p.oid, p.polrelid, p.polname, p.polcmd, p.polpermissive,"
                + " (SELECT pg_catalog.string_agg(CASE WHEN r.x = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r.x)) END,"
                + "   ', ' ORDER BY r.i) FROM pg_catalog.unnest(p.polroles) WITH ORDINALITY AS r(x, i)) AS roles,"
                + " pg_catalog.pg_get_expr(p.polqual, p.polrelid) AS qual,"
                + " pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) AS withcheck"
                + " FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid"
                + " WHERE " + ctx.inScope("c.relnamespace") + " ORDER BY p.polrelid, p.polname", rs -> {
            RelationReader.Rel rel = relations.relations.get(rs.getLong("polrelid"));
            if (rel == null) {
                return;
            }
            String name = SqlText.ident(rs.getString("polname"));
            String cmd = switch (rs.getString("polcmd")) {
                case "r" -> "SELECT";
                case "a" -> "INSERT";
                case "w" -> "UPDATE";
                case "d" -> "DELETE";
                default -> "ALL";
            };
            StringBuilder sql = new StringBuilder("CREATE POLICY " + name + " ON " + rel.qname);
            if (!rs.getBoolean("polpermissive")) {
                sql.append(" AS RESTRICTIVE");
            }
            sql.append(" FOR ").append(cmd);
            if (rs.getString("roles") != null) {
                sql.append(" TO ").append(rs.getString("roles"));
            }
            if (rs.getString("qual") != null) {
                sql.append(" USING (").append(rs.getString("qual")).append(')');
            }
            if (rs.getString("withcheck") != null) {
                sql.append(" WITH CHECK (").append(rs.getString("withcheck")).append(')');
            }
            DumpItem item = ctx.graph.add(DumpItem.Kind.POLICY, "policy", rel.qname + " " + name);
            item.sql(sql.toString());
            item.dependsOn(rel.item);
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_POLICY, rs.getLong("oid"));
            ctx.graph.bind(ref, item);
            ctx.name(ref, item, "POLICY " + name + " ON " + rel.qname, null, null);
        });
    }

    private void readEventTriggers() throws SQLException {
        ctx.query("SELECT e.oid, e.evtname, e.evtevent, e.evtenabled, e.evttags::text[] AS tags,"
                + " pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname) AS func, p.pronamespace"
                + " FROM pg_catalog.pg_event_trigger e JOIN pg_catalog.pg_proc p ON p.oid = e.evtfoid"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace ORDER BY e.evtname", rs -> {
            long oid = rs.getLong("oid");
            // an event trigger belongs to the database; it is ours when its function is in a schema we cover
            if (!ctx.schemaNames.containsKey(rs.getLong("pronamespace"))
                    || ctx.isExtensionMember(CatalogRef.PG_EVENT_TRIGGER, oid)) {
                return;
            }
            String name = SqlText.ident(rs.getString("evtname"));
            StringBuilder sql = new StringBuilder("CREATE EVENT TRIGGER " + name + " ON " + SqlText.ident(rs.getString("evtevent")));
            String[] tags = CatalogContext.textArray(rs, "tags");
            if (tags != null && tags.length > 0) {
                StringBuilder list = new StringBuilder();
                for (String t : tags) {
                    list.append(list.length() > 0 ? ", " : "").append(SqlText.literal(t));
                }
                sql.append("\n         WHEN TAG IN (").append(list).append(')');
            }
            sql.append("\n   EXECUTE FUNCTION ").append(rs.getString("func")).append("()");
            DumpItem item = ctx.graph.add(DumpItem.Kind.EVENT_TRIGGER, "event trigger", name);
            item.sql(sql.toString());
            String clause = enableClause(rs.getString("evtenabled"), "");
            if (clause != null) {
                item.sql("ALTER EVENT TRIGGER " + name + clause.replace("  ", " ").stripTrailing());
            }
            CatalogRef ref = CatalogRef.of(CatalogRef.PG_EVENT_TRIGGER, oid);
            ctx.graph.bind(ref, item);
            ctx.name(ref, item, "EVENT TRIGGER " + name, "EVENT TRIGGER " + name, null);
        });
    }
}
