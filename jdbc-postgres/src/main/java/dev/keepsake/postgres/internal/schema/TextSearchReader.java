package dev.keepsake.postgres.internal.schema;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Text-search parsers, templates, dictionaries and configurations (with their token mappings). */
final class TextSearchReader {

    private final CatalogContext ctx;

    TextSearchReader(CatalogContext ctx) {
        this.ctx = ctx;
    }

    void read() throws SQLException {
        readParsers();
        readTemplates();
        readDictionaries();
        readConfigurations();
    }

    private static String proc(String column) {
        return "CASE WHEN " + column + " <> 0 THEN " + column + "::pg_catalog.regproc::text END";
    }

    private void readParsers() throws SQLException {
        ctx.query("SELECT p.oid, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.prsname) AS qname, "
                + proc("p.prsstart") + " AS start, " + proc("p.prstoken") + " AS gettoken, " + proc("p.prsend") + " AS end_, "
                + proc("p.prslextype") + " AS lextypes, " + proc("p.prsheadline") + " AS headline"
                + " FROM pg_catalog.pg_ts_parser p JOIN pg_catalog.pg_namespace n ON n.oid = p.prsnamespace"
                + " WHERE " + ctx.inScope("p.prsnamespace") + " ORDER BY 2", rs -> {
            long oid = rs.getLong("oid");
            if (ctx.isExtensionMember(CatalogRef.PG_TS_PARSER, oid)) {
                return;
            }
            String qname = rs.getString("qname");
            List<String> opts = new ArrayList<>(List.of("START = " + rs.getString("start"),
                    "GETTOKEN = " + rs.getString("gettoken"), "END = " + rs.getString("end_"),
                    "LEXTYPES = " + rs.getString("lextypes")));
            if (rs.getString("headline") != null) {
                opts.add("HEADLINE = " + rs.getString("headline"));
            }
            add(CatalogRef.PG_TS_PARSER, oid, "text search parser", "TEXT SEARCH PARSER " + qname,
                    "CREATE TEXT SEARCH PARSER " + qname + " (\n    " + String.join(",\n    ", opts) + "\n)", false);
        });
    }

    private void readTemplates() throws SQLException {
        ctx.query("SELECT t.oid, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(t.tmplname) AS qname, "
                + proc("t.tmplinit") + " AS init, " + proc("t.tmpllexize") + " AS lexize"
                + " FROM pg_catalog.pg_ts_template t JOIN pg_catalog.pg_namespace n ON n.oid = t.tmplnamespace"
                + " WHERE " + ctx.inScope("t.tmplnamespace") + " ORDER BY 2", rs -> {
            long oid = rs.getLong("oid");
            if (ctx.isExtensionMember(CatalogRef.PG_TS_TEMPLATE, oid)) {
                return;
            }
            String qname = rs.getString("qname");
            List<String> opts = new ArrayList<>();
            if (rs.getString("init") != null) {
                opts.add("INIT = " + rs.getString("init"));
            }
            opts.add("LEXIZE = " + rs.getString("lexize"));
            add(CatalogRef.PG_TS_TEMPLATE, oid, "text search template", "TEXT SEARCH TEMPLATE " + qname,
                    "CREATE TEXT SEARCH TEMPLATE " + qname + " (\n    " + String.join(",\n    ", opts) + "\n)", false);
        });
    }

    private void readDictionaries() throws SQLException {
        ctx.query("SELECT d.oid, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(d.dictname) AS qname,"
                + " pg_catalog.quote_ident(tn.nspname) || '.' || pg_catalog.quote_ident(t.tmplname) AS template, d.dictinitoption"
                + " FROM pg_catalog.pg_ts_dict d JOIN pg_catalog.pg_namespace n ON n.oid = d.dictnamespace"
                + " JOIN pg_catalog.pg_ts_template t ON t.oid = d.dicttemplate JOIN pg_catalog.pg_namespace tn ON tn.oid = t.tmplnamespace"
                + " WHERE " + ctx.inScope("d.dictnamespace") + " ORDER BY 2", rs -> {
            long oid = rs.getLong("oid");
            if (ctx.isExtensionMember(CatalogRef.PG_TS_DICT, oid)) {
                return;
            }
            String qname = rs.getString("qname");
            String options = rs.getString("dictinitoption");
            add(CatalogRef.PG_TS_DICT, oid, "text search dictionary", "TEXT SEARCH DICTIONARY " + qname,
                    "CREATE TEXT SEARCH DICTIONARY " + qname + " (\n    TEMPLATE = " + rs.getString("template")
                            + (options != null ? ",\n    " + options : "") + "\n)", true);
        });
    }

    private void readConfigurations() throws SQLException {
        Map<Long, DumpItem> configs = new LinkedHashMap<>();
        Map<Long, String> names = new LinkedHashMap<>();
        ctx.query("SELECT c.oid, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.cfgname) AS qname,"
                + " pg_catalog.quote_ident(pn.nspname) || '.' || pg_catalog.quote_ident(p.prsname) AS parser"
                + " FROM pg_catalog.pg_ts_config c JOIN pg_catalog.pg_namespace n ON n.oid = c.cfgnamespace"
                + " JOIN pg_catalog.pg_ts_parser p ON p.oid = c.cfgparser JOIN pg_catalog.pg_namespace pn ON pn.oid = p.prsnamespace"
                + " WHERE " + ctx.inScope("c.cfgnamespace") + " ORDER BY 2", rs -> {
            long oid = rs.getLong("oid");
            if (ctx.isExtensionMember(CatalogRef.PG_TS_CONFIG, oid)) {
                return;
            }
            String qname = rs.getString("qname");
            DumpItem item = add(CatalogRef.PG_TS_CONFIG, oid, "text search configuration",
                    "TEXT SEARCH CONFIGURATION " + qname,
                    "CREATE TEXT SEARCH CONFIGURATION " + qname + " (\n    PARSER = " + rs.getString("parser") + "\n)", true);
            configs.put(oid, item);
            names.put(oid, qname);
        });
        if (configs.isEmpty()) {
            return;
        }
        ctx.query("SELECT m.mapcfg, t.alias, pg_catalog.string_agg(pg_catalog.quote_ident(dn.nspname) || '.'"
                + "   || pg_catalog.quote_ident(d.dictname), ', ' ORDER BY m.mapseqno) AS dicts"
                + " FROM pg_catalog.pg_ts_config_map m JOIN pg_catalog.pg_ts_config c ON c.oid = m.mapcfg"
                + " JOIN pg_catalog.pg_ts_dict d ON d.oid = m.mapdict JOIN pg_catalog.pg_namespace dn ON dn.oid = d.dictnamespace"
                + " CROSS JOIN LATERAL pg_catalog.ts_token_type(c.cfgparser) t"
                + " WHERE t.tokid = m.maptokentype AND " + ctx.inScope("c.cfgnamespace")
                + " GROUP BY m.mapcfg, m.maptokentype, t.alias ORDER BY m.mapcfg, m.maptokentype", rs -> {
            DumpItem item = configs.get(rs.getLong("mapcfg"));
            if (item != null) {
                item.sql("ALTER TEXT SEARCH CONFIGURATION " + names.get(rs.getLong("mapcfg")) + "\n    ADD MAPPING FOR "
                        + SqlText.ident(rs.getString("alias")) + " WITH " + rs.getString("dicts"));
            }
        });
    }

    private DumpItem add(long classId, long oid, String inventory, String target, String sql, boolean owned) {
        DumpItem item = ctx.graph.add(DumpItem.Kind.TEXT_SEARCH, inventory, target);
        item.sql(sql);
        CatalogRef ref = CatalogRef.of(classId, oid);
        ctx.graph.bind(ref, item);
        ctx.name(ref, item, target, owned ? target : null, null);
        return item;
    }
}
