package dev.keepsake.benchmarks;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's data, generated server-side with {@code generate_series} (no row crosses the network): the four
 * pgbench tables exactly as {@code pgbench -i -s N} creates them (server-side generation, primary keys), plus
 * {@code bench_mixed}, about 4 MB per scale unit of text, jsonb, bytea, numeric, timestamptz, uuid, arrays and
 * NULLs. Deterministic: the same scale gives the same rows. Not thread-safe (one connection).
 */
final class Dataset {

    /** The two big tables, for the raw COPY reference. */
    static final List<String> BIG_TABLES = List.of("public.pgbench_accounts", "public.bench_mixed");
    /** Every table, for the fidelity check. */
    static final List<String> TABLES = List.of("public.pgbench_branches", "public.pgbench_tellers",
            "public.pgbench_accounts", "public.pgbench_history", "public.bench_mixed");

    /** Mixed-type rows per scale unit (about 4 MB on disk with the index). */
    static final int MIXED_ROWS_PER_SCALE = 9_000;

    private Dataset() {
    }

    static long accounts(double scale) {
        return Math.max(1, Math.round(100_000 * scale));
    }

    static long branches(double scale) {
        return Math.max(1, Math.round(scale));
    }

    static long mixedRows(double scale) {
        return Math.max(1, Math.round(MIXED_ROWS_PER_SCALE * scale));
    }

    /** Creates the tables and rows; returns the database size in bytes. */
    static long create(Connection c, double scale) throws SQLException {
        long branches = branches(scale);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE public.pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp,"
                    + " filler char(22))");
            st.execute("CREATE TABLE public.pgbench_tellers (tid int NOT NULL, bid int, tbalance int, filler char(84))"
                    + " WITH (fillfactor = 100)");
            st.execute("CREATE TABLE public.pgbench_accounts (aid int NOT NULL, bid int, abalance int,"
                    + " filler char(84)) WITH (fillfactor = 100)");
            st.execute("CREATE TABLE public.pgbench_branches (bid int NOT NULL, bbalance int, filler char(88))"
                    + " WITH (fillfactor = 100)");
            st.execute("INSERT INTO public.pgbench_branches (bid, bbalance) SELECT bid, 0 FROM generate_series(1, "
                    + branches + ") AS bid");
            st.execute("INSERT INTO public.pgbench_tellers (tid, bid, tbalance) SELECT tid, (tid - 1) / 10 + 1, 0"
                    + " FROM generate_series(1, " + 10 * branches + ") AS tid");
            st.execute("INSERT INTO public.pgbench_accounts (aid, bid, abalance, filler)"
                    + " SELECT aid, (aid - 1) / 100000 + 1, 0, '' FROM generate_series(1, " + accounts(scale)
                    + ") AS aid");
            st.execute("""
                    CREATE TABLE public.bench_mixed (
                        id bigint NOT NULL,
                        name text NOT NULL,
                        note text,
                        doc jsonb,
                        payload bytea,
                        amount numeric(18, 4),
                        created timestamptz,
                        tags text[],
                        scores integer[],
                        active boolean,
                        ref uuid)""");
            st.execute("INSERT INTO public.bench_mixed SELECT i,"
                    + " 'customer ' || i || E' \\t\\\\ ü',"
                    + " CASE WHEN i % 5 = 0 THEN NULL WHEN i % 17 = 0 THEN '' ELSE repeat(md5(i::text) || ' ', 1 + i % 4) END,"
                    + " CASE WHEN i % 7 = 0 THEN NULL ELSE jsonb_build_object('id', i,"
                    + "   'kind', (ARRAY['retail', 'wholesale', 'online'])[1 + i % 3],"
                    + "   'score', (i::bigint * 7919) % 1000 / 10.0,"
                    + "   'labels', jsonb_build_array(md5((i + 1)::text), i % 100, i % 2 = 0),"
                    + "   'address', jsonb_build_object('street', i % 997 || ' Main St', 'zip', lpad((i % 99999)::text, 5, '0'))) END,"
                    + " CASE WHEN i % 11 = 0 THEN NULL ELSE decode(md5(i::text) || md5((i * 3)::text) || md5((i * 7)::text), 'hex') END,"
                    + " CASE WHEN i % 13 = 0 THEN NULL ELSE ((i::bigint * 104729) % 100000000) / 100.0 END,"
                    + " timestamptz '2020-01-01 00:00:00+00' + i * interval '17 seconds',"
                    + " ARRAY['t' || (i % 10), 't' || (i % 100), NULL, md5(i::text)],"
                    + " ARRAY[i % 1000, i % 37, i % 11],"
                    + " CASE WHEN i % 3 = 0 THEN NULL ELSE i % 2 = 0 END,"
                    + " md5(i::text)::uuid"
                    + " FROM generate_series(1, " + mixedRows(scale) + ") AS i");
            st.execute("ALTER TABLE public.pgbench_branches ADD PRIMARY KEY (bid)");
            st.execute("ALTER TABLE public.pgbench_tellers ADD PRIMARY KEY (tid)");
            st.execute("ALTER TABLE public.pgbench_accounts ADD PRIMARY KEY (aid)");
            st.execute("ALTER TABLE public.bench_mixed ADD PRIMARY KEY (id)");
            st.execute("CREATE INDEX bench_mixed_created ON public.bench_mixed (created)");
            st.execute("VACUUM ANALYZE");
            try (ResultSet rs = st.executeQuery("SELECT pg_database_size(current_database())")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Per table: row count and an order-independent digest of the rows' text form. */
    static Map<String, String> fingerprint(Connection c) throws SQLException {
        Map<String, String> result = new LinkedHashMap<>();
        try (Statement st = c.createStatement()) {
            for (String table : TABLES) {
                try (ResultSet rs = st.executeQuery("SELECT count(*), coalesce(sum(hashtext(t::text)::bigint), 0)"
                        + " FROM " + table + " t")) {
                    rs.next();
                    result.put(table, rs.getLong(1) + " rows, digest " + rs.getLong(2));
                }
            }
        }
        return result;
    }

    /** Sizes of the tables with their indexes, for the header of the report. */
    static Map<String, Long> tableSizes(Connection c) throws SQLException {
        Map<String, Long> result = new LinkedHashMap<>();
        try (Statement st = c.createStatement()) {
            for (String table : TABLES) {
                try (ResultSet rs = st.executeQuery("SELECT pg_total_relation_size('" + table + "')")) {
                    rs.next();
                    result.put(table, rs.getLong(1));
                }
            }
        }
        return result;
    }
}
