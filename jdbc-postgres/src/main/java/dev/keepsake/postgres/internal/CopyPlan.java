package dev.keepsake.postgres.internal;

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
 * are then stored in another physical order, as after any parallel load).
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
     * The COPYs for {@code tables}, biggest first.
     *
     * @param snapshot      the backup's snapshot connection (reads the tables' current sizes)
     * @param minRangeBytes no table is cut into ranges smaller than this ({@link #MIN_RANGE_BYTES} in backups)
     */
    static List<CopyWork> plan(Connection snapshot, List<TableRef> tables, int serverMajor, int connections,
                               long minRangeBytes) throws SQLException {
        long total = tables.stream().mapToLong(TableRef::estimatedBytes).sum();
        long share = Math.max(minRangeBytes, total / ((long) connections * RANGES_PER_CONNECTION));
        boolean ranges = connections > 1 && serverMajor >= MIN_MAJOR_FOR_RANGES;
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
