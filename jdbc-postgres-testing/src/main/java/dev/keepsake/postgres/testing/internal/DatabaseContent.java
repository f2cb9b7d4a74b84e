package dev.keepsake.postgres.testing.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a database holds, read from the catalogs with plain SQL (no pg_dump): an inventory of the objects in its
 * non-system schemas (kind + identity → definition) and a digest of every table's rows. The digest of a table is its
 * row count and the sum of the 128-bit MD5 of each row's text form, computed by the server: rows are compared as a
 * multiset, without holding a table in memory anywhere. Immutable.
 *
 * @param objects "kind identity" → definition (empty definitions when read without them)
 * @param tables  "schema.table" → "rows=N digest=..."
 */
public record DatabaseContent(SortedMap<String, String> objects, SortedMap<String, String> tables) {

    public DatabaseContent {
        objects = new TreeMap<>(objects);
        tables = new TreeMap<>(tables);
    }

    private static final String USER_NS = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
            + " AND n.nspname !~ '^pg_temp_' AND n.nspname !~ '^pg_toast_temp_'";

    private static String notExtensionMember(String catalog, String oid) {
        return "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dx WHERE dx.classid = '" + catalog
                + "'::pg_catalog.regclass AND dx.objid = " + oid + " AND dx.deptype = 'e')";
    }

    /** kind, identity, definition. Definitions use only deparse functions that exist on PostgreSQL 13-18. */
    private static final List<String> QUERIES = List.of(
            "SELECT 'schema', pg_catalog.quote_ident(n.nspname), coalesce(pg_catalog.obj_description(n.oid, 'pg_namespace'), '')"
                    + " FROM pg_catalog.pg_namespace n WHERE " + USER_NS,
            "SELECT 'extension', e.extname, e.extversion || ' in ' || n.nspname FROM pg_catalog.pg_extension e"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace",
            "SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'"
                    + " WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' END,"
                    + " pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),"
                    + " concat_ws(' ', 'persistence=' || c.relpersistence::text,"
                    + " 'options=' || coalesce(pg_catalog.array_to_string(c.reloptions, ','), ''),"
                    + " 'rls=' || c.relrowsecurity || '/' || c.relforcerowsecurity,"
                    + " 'replident=' || c.relreplident::text,"
                    + " 'partkey=' || coalesce(CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END, ''),"
                    + " 'bound=' || coalesce(pg_catalog.pg_get_expr(c.relpartbound, c.oid), ''),"
                    + " 'parent=' || coalesce((SELECT string_agg(i.inhparent::pg_catalog.regclass::text, ',' ORDER BY i.inhseqno)"
                    + "   FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid), ''),"
                    + " 'populated=' || c.relispopulated,"
                    + " 'comment=' || coalesce(pg_catalog.obj_description(c.oid, 'pg_class'), ''),"
                    + " 'view=' || coalesce(CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid) END, ''))"
                    + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND " + USER_NS
                    + " AND " + notExtensionMember("pg_catalog.pg_class", "c.oid"),
            "SELECT 'column', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) || '.'"
                    + " || pg_catalog.quote_ident(a.attname),"
                    + " concat_ws(' ', 'position=' || row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum),"
                    + " pg_catalog.format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN 'not null' END,"
                    + " 'default=' || pg_catalog.pg_get_expr(d.adbin, d.adrelid), 'identity=' || nullif(a.attidentity::text, ''),"
                    + " 'generated=' || nullif(a.attgenerated::text, ''), 'storage=' || a.attstorage::text,"
                    + " 'collation=' || CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::pg_catalog.regcollation::text END,"
                    + " 'comment=' || pg_catalog.col_description(c.oid, a.attnum))"
                    + " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
                    + " LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                    + " WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c') AND " + USER_NS
                    + " AND " + notExtensionMember("pg_catalog.pg_class", "c.oid"),
            "SELECT 'constraint', coalesce(pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),"
                    + " co.contypid::pg_catalog.regtype::text) || '.' || pg_catalog.quote_ident(co.conname),"
                    + " pg_catalog.pg_get_constraintdef(co.oid) || ' validated=' || co.convalidated"
                    + " || ' comment=' || coalesce(pg_catalog.obj_description(co.oid, 'pg_constraint'), '')"
                    + " FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_namespace n ON n.oid = co.connamespace"
                    + " LEFT JOIN pg_catalog.pg_class c ON c.oid = co.conrelid WHERE " + USER_NS
                    + " AND " + notExtensionMember("pg_catalog.pg_constraint", "co.oid"),
            "SELECT 'index', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),"
                    + " pg_catalog.pg_get_indexdef(i.indexrelid) || ' clustered=' || i.indisclustered"
                    + " || ' replident=' || i.indisreplident || ' valid=' || i.indisvalid"
                    + " || ' comment=' || coalesce(pg_catalog.obj_description(c.oid, 'pg_class'), '')"
                    + " FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE " + USER_NS
                    + " AND " + notExtensionMember("pg_catalog.pg_class", "i.indrelid"),
            "SELECT 'sequence state', pg_catalog.quote_ident(s.schemaname) || '.' || pg_catalog.quote_ident(s.sequencename),"
                    + " concat_ws(' ', s.data_type, s.start_value, s.min_value, s.max_value, s.increment_by, s.cycle,"
                    + " s.cache_size, 'last=' || coalesce(s.last_value::text, 'unset'),"
                    + " 'owned_by=' || (SELECT d.refobjid::pg_catalog.regclass::text || '.' || a.attname"
                    + "   FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
                    + "   WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
                    + "   AND d.objid = (pg_catalog.quote_ident(s.schemaname) || '.' || pg_catalog.quote_ident(s.sequencename))::pg_catalog.regclass"
                    + "   AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0 LIMIT 1))"
                    + " FROM pg_catalog.pg_sequences s WHERE s.schemaname NOT IN ('pg_catalog', 'information_schema')",
            "SELECT CASE p.prokind WHEN 'a' THEN 'aggregate' WHEN 'p' THEN 'procedure' WHEN 'w' THEN 'window function'"
                    + " ELSE 'function' END, p.oid::pg_catalog.regprocedure::text,"
                    + " concat_ws(' ', 'returns=' || pg_catalog.pg_get_function_result(p.oid), 'lang=' || l.lanname,"
                    + " 'volatile=' || p.provolatile::text, 'strict=' || p.proisstrict, 'secdef=' || p.prosecdef,"
                    + " 'leakproof=' || p.proleakproof, 'parallel=' || p.proparallel::text, 'cost=' || p.procost, 'rows=' || p.prorows,"
                    + " 'config=' || coalesce(pg_catalog.array_to_string(p.proconfig, ','), ''),"
                    + " 'src=' || pg_catalog.md5(coalesce(p.prosrc, '')),"
                    + " 'agg=' || (SELECT concat_ws(',', ag.aggtransfn, ag.aggfinalfn, ag.aggcombinefn, ag.aggtranstype::pg_catalog.regtype, ag.agginitval, ag.aggkind::text)"
                    + "   FROM pg_catalog.pg_aggregate ag WHERE ag.aggfnoid = p.oid),"
                    + " 'comment=' || coalesce(pg_catalog.obj_description(p.oid, 'pg_proc'), ''))"
                    + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
                    + " JOIN pg_catalog.pg_language l ON l.oid = p.prolang WHERE " + USER_NS
                    + " AND " + notExtensionMember("pg_catalog.pg_proc", "p.oid")
                    // functions the server creates by itself (e.g. multirange constructors on 14+) are not objects
                    + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend di WHERE di.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass"
                    + " AND di.objid = p.oid AND di.deptype = 'i')",
            "SELECT CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range' WHEN 'c' THEN 'composite type'"
                    + " WHEN 'm' THEN 'multirange' ELSE 'type' END, t.oid::pg_catalog.regtype::text,"
                    + " concat_ws(' ', 'labels=' || (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)"
                    + "   FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid),"
                    + " 'base=' || CASE WHEN t.typtype = 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod) END,"
                    + " 'notnull=' || CASE WHEN t.typtype = 'd' THEN t.typnotnull::text END,"
                    + " 'default=' || t.typdefault,"
                    + " 'subtype=' || (SELECT r.rngsubtype::pg_catalog.regtype::text FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid),"
                    + " 'comment=' || coalesce(pg_catalog.obj_description(t.oid, 'pg_type'), ''))"
                    + " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
                    // user-defined types: not arrays, not multiranges, not the row types of tables and views
                    + " LEFT JOIN pg_catalog.pg_class tc ON tc.oid = t.typrelid WHERE " + USER_NS
                    + " AND (t.typrelid = 0 OR tc.relkind = 'c') AND NOT (t.typcategory = 'A' AND t.typelem <> 0)"
                    + " AND t.typtype <> 'm' AND " + notExtensionMember("pg_catalog.pg_type", "t.oid"),
            "SELECT 'trigger', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) || '.'"
                    + " || pg_catalog.quote_ident(t.tgname), pg_catalog.pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text"
                    + " || ' comment=' || coalesce(pg_catalog.obj_description(t.oid, 'pg_trigger'), '')"
                    + " FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND " + USER_NS,
            "SELECT 'rule', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) || '.'"
                    + " || pg_catalog.quote_ident(r.rulename), pg_catalog.pg_get_ruledef(r.oid) || ' enabled=' || r.ev_enabled::text"
                    + " FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE r.rulename <> '_RETURN' AND " + USER_NS,
            "SELECT 'policy', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) || '.'"
                    + " || pg_catalog.quote_ident(p.polname), concat_ws(' ', p.polcmd::text, p.polpermissive,"
                    + " (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r) END, ',' ORDER BY 1)"
                    + "   FROM unnest(p.polroles) r),"
                    + " 'using=' || pg_catalog.pg_get_expr(p.polqual, p.polrelid), 'check=' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid))"
                    + " FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE " + USER_NS,
            "SELECT 'collation', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(co.collname),"
                    + " concat_ws(' ', co.collprovider::text, co.collisdeterministic, co.collcollate, co.collctype)"
                    + " FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace WHERE " + USER_NS
                    + " AND " + notExtensionMember("pg_catalog.pg_collation", "co.oid"),
            "SELECT 'text search configuration', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(cf.cfgname),"
                    + " cf.cfgparser::pg_catalog.regproc::text || ' ' || coalesce((SELECT string_agg(m.maptokentype || ':'"
                    + "   || m.mapdict::pg_catalog.regdictionary::text, ',' ORDER BY m.maptokentype, m.mapseqno)"
                    + "   FROM pg_catalog.pg_ts_config_map m WHERE m.mapcfg = cf.oid), '')"
                    + " FROM pg_catalog.pg_ts_config cf JOIN pg_catalog.pg_namespace n ON n.oid = cf.cfgnamespace WHERE " + USER_NS
                    + " AND " + notExtensionMember("pg_catalog.pg_ts_config", "cf.oid"),
            "SELECT 'text search dictionary', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(d.dictname),"
                    + " d.dicttemplate::pg_catalog.regproc::text || ' ' || coalesce(d.dictinitoption, '')"
                    + " FROM pg_catalog.pg_ts_dict d JOIN pg_catalog.pg_namespace n ON n.oid = d.dictnamespace WHERE " + USER_NS
                    + " AND " + notExtensionMember("pg_catalog.pg_ts_dict", "d.oid"),
            "SELECT 'statistics', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(s.stxname),"
                    + " pg_catalog.pg_get_statisticsobjdef(s.oid) FROM pg_catalog.pg_statistic_ext s"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = s.stxnamespace WHERE " + USER_NS,
            "SELECT 'large objects', 'count', count(*)::text FROM pg_catalog.pg_largeobject_metadata");

    /** Reads the inventory and the row digests; {@code definitions == false} keeps only kinds and identities. */
    public static DatabaseContent read(Connection c, boolean definitions) throws SQLException {
        configure(c);
        SortedMap<String, String> objects = new TreeMap<>();
        for (String q : QUERIES) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(q)) {
                while (rs.next()) {
                    String key = rs.getString(1) + " " + rs.getString(2);
                    objects.put(key, definitions ? Objects.toString(rs.getString(3), "") : "");
                }
            }
        }
        return new DatabaseContent(objects, digests(c));
    }

    private static void configure(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET search_path = ''; SET extra_float_digits = 3; SET DateStyle = ISO;"
                    + " SET IntervalStyle = postgres; SET TimeZone = 'UTC'; SET bytea_output = hex");
        }
    }

    /** Row count and multiset digest of every table, partition and populated materialized view. */
    private static SortedMap<String, String> digests(Connection c) throws SQLException {
        List<String[]> rels = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT n.nspname, c.relname, c.relkind FROM pg_catalog.pg_class c"
                        + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE (c.relkind = 'r' OR (c.relkind = 'm' AND c.relispopulated)) AND " + USER_NS)) {
            while (rs.next()) {
                rels.add(new String[]{rs.getString(1), rs.getString(2), rs.getString(3)});
            }
        }
        SortedMap<String, String> result = new TreeMap<>();
        for (String[] r : rels) {
            String from = ("r".equals(r[2]) ? "ONLY " : "") + quoted(r[0]) + "." + quoted(r[1]);
            String sql = "SELECT count(*), coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint::numeric), 0),"
                    + " coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint::numeric), 0)"
                    + " FROM (SELECT pg_catalog.md5(t::text) AS h FROM " + from + " AS t) AS x";
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                result.put(r[0] + "." + r[1], "rows=" + rs.getLong(1) + " digest=" + rs.getString(2) + "/"
                        + rs.getString(3));
            }
        }
        return result;
    }

    /** Human-readable differences (at most {@code limit} lines, then a count of the rest); empty when equal. */
    public List<String> differencesFrom(DatabaseContent expected, int limit) {
        List<String> out = new ArrayList<>();
        diff("object", expected.objects, objects, out);
        diff("table data", expected.tables, tables, out);
        if (out.size() > limit) {
            int more = out.size() - limit;
            List<String> cut = new ArrayList<>(out.subList(0, limit));
            cut.add("... and " + more + " more differences");
            return cut;
        }
        return out;
    }

    private static void diff(String what, Map<String, String> expected, Map<String, String> actual, List<String> out) {
        Set<String> keys = new TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (String k : keys) {
            String e = expected.get(k);
            String a = actual.get(k);
            if (a == null) {
                out.add("missing " + what + ": " + k);
            } else if (e == null) {
                out.add("unexpected " + what + ": " + k);
            } else if (!e.equals(a)) {
                out.add("different " + what + ": " + k + "\n    expected: " + e + "\n    actual:   " + a);
            }
        }
    }

    /** Always-quoted identifier ({@code "a""b"}); the names come from the catalogs. */
    private static String quoted(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
