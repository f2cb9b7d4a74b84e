package dev.keepsake.postgres.internal.backup;

import dev.keepsake.postgres.internal.ServerInfo;
import dev.keepsake.postgres.internal.schema.TableRef;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Plans the COPYs of a backup so that the copy connections finish together: biggest first, and a table much bigger
 * than a fair share cut into ranges of heap blocks ({@code ctid} ranges, read by a TID range scan on PostgreSQL 14 and
 * later), which the connections copy in parallel on the same snapshot. The ranges cover the whole table (the last one
 * is open-ended) and do not overlap, so every row visible in the snapshot is copied exactly once. All ranges of a
 * table write into the table's one data stream; the restore loads its chunks in archive order (rows of a split table
 * are then stored in another physical order, as after any parallel load). Ranges are cut only where they can pay off
 * ({@link #rangesPayOff}).
 */
final class CopyPlan {

    /** TID range scans (needed to read a block range without reading the whole table) exist since PostgreSQL 14. */
    static final int MIN_MAJOR_FOR_RANGES = 14;
    /** No range smaller than this. */
    static final long MIN_RANGE_BYTES = 64L << 20;
    /** Ranges per connection: enough for the connections to even out at the end. */
    static final int RANGES_PER_CONNECTION = 4;
    static final int MAX_RANGES_PER_TABLE = 256;

    private CopyPlan() {
    }

    /**
     * Whether cutting tables into ranges can pay off. A TID range scan costs the server more CPU per row than a plain
     * {@code COPY} of the table (the 5 million rows of {@code pgbench_accounts} in binary: 3.0 s against 2.6 s), which
     * buys time only when the server has cores to spare: when it runs on another machine, or on this one with at least
     * two cores per copy connection (one for its backend, one for this JVM's reading and compressing of its rows). On a
     * 2-core machine running both, backups of the benchmark's 1 GB database took 4.0 s with whole tables and 4.5 s with
     * ranges (medians of 5, alternating).
     *
     * @param serverOnThisMachine whether the server shares this machine's cores ({@link ServerInfo#loopback()})
     * @param cores               the cores this JVM may use
     */
    static boolean rangesPayOff(boolean serverOnThisMachine, int connections, int cores) {
        return !serverOnThisMachine || cores >= 2 * connections;
    }

    /**
     * The COPYs for {@code tables}, biggest first.
     *
     * @param snapshot      the backup's snapshot connection (reads the tables' current sizes)
     * @param cutRanges     whether big tables may be cut into ranges at all ({@link #rangesPayOff})
     * @param minRangeBytes no table is cut into ranges smaller than this ({@link #MIN_RANGE_BYTES} in backups)
     */
    static List<CopyWork> plan(Connection snapshot, List<TableRef> tables, int serverMajor, int connections,
                               boolean cutRanges, long minRangeBytes) throws SQLException {
        long total = tables.stream().mapToLong(TableRef::estimatedBytes).sum();
        long share = Math.max(minRangeBytes, total / ((long) connections * RANGES_PER_CONNECTION));
        boolean ranges = cutRanges && connections > 1 && serverMajor >= MIN_MAJOR_FOR_RANGES;
        List<CopyWork> work = new ArrayList<>();
        for (int i = 0; i < tables.size(); i++) {
            TableRef t = tables.get(i);
            if (!ranges || t.estimatedBytes() < 2 * share || t.columns().isEmpty()) {
                work.add(new CopyWork(i, null, t.estimatedBytes()));
                continue;
            }
            long[] size = heapBlocks(snapshot, t);
            long blocks = size[0];
            int n = (int) Math.min(MAX_RANGES_PER_TABLE, Math.max(1, blocks * size[1] / share));
            if (n < 2) {
                work.add(new CopyWork(i, null, t.estimatedBytes()));
                continue;
            }
            for (int r = 0; r < n; r++) {
                long from = blocks * r / n;
                long to = blocks * (r + 1) / n;
                String range = r == 0 ? "ctid < '(" + to + ",0)'::tid"
                        : r == n - 1 ? "ctid >= '(" + from + ",0)'::tid"
                        : "ctid >= '(" + from + ",0)'::tid AND ctid < '(" + to + ",0)'::tid";
                work.add(new CopyWork(i, range, t.estimatedBytes() / n));
            }
        }
        work.sort(Comparator.comparingLong(CopyWork::estimatedBytes).reversed());
        return work;
    }

    /**
     * The table's heap blocks now and the block size; no blocks when it is not a heap table (no TID range scan
     * then).
     */
    private static long[] heapBlocks(Connection c, TableRef t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT CASE WHEN am.amname = 'heap'"
                + " THEN pg_catalog.pg_relation_size(c.oid) / pg_catalog.current_setting('block_size')::bigint"
                + " ELSE 0 END, pg_catalog.current_setting('block_size')::bigint FROM pg_catalog.pg_class c"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " JOIN pg_catalog.pg_am am ON am.oid = c.relam WHERE n.nspname = ? AND c.relname = ?")) {
            ps.setString(1, t.schema());
            ps.setString(2, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new long[] {rs.getLong(1), rs.getLong(2)} : new long[] {0, 8192};
            }
        }
    }
}
