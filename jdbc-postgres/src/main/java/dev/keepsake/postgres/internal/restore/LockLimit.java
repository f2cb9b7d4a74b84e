package dev.keepsake.postgres.internal.restore;

import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The server's lock table limits, read before the restore starts, and the message for a transaction that ran out of
 * locks ({@code 53200 out of shared memory}, hint {@code max_locks_per_transaction}).
 *
 * @param maxLocksPerTransaction  {@code max_locks_per_transaction}
 * @param maxConnections          {@code max_connections}
 * @param maxPreparedTransactions {@code max_prepared_transactions}
 */
record LockLimit(int maxLocksPerTransaction, int maxConnections, int maxPreparedTransactions) {

    static LockLimit read(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT pg_catalog.current_setting('max_locks_per_transaction')::int,"
                        + " pg_catalog.current_setting('max_connections')::int,"
                        + " pg_catalog.current_setting('max_prepared_transactions')::int")) {
            rs.next();
            return new LockLimit(rs.getInt(1), rs.getInt(2), rs.getInt(3));
        }
    }

    /** Whether the error is the lock table running full. */
    static boolean isLockExhaustion(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && "53200".equals(s.getSQLState())) {
                String hint = "";
                if (s instanceof PSQLException p) {
                    ServerErrorMessage m = p.getServerErrorMessage();
                    if (m != null && m.getHint() != null) {
                        hint = m.getHint();
                    }
                }
                String text = hint + " " + s.getMessage();
                if (text.contains("max_locks_per_transaction")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Locks the server's shared lock table holds (every transaction draws from it). */
    long capacity() {
        return (long) maxLocksPerTransaction * (maxConnections + maxPreparedTransactions);
    }

    /**
     * The setting that lets one transaction take {@code locksNeeded} locks with room to spare (half again, for the
     * other sessions' locks and for estimate error), and never less than the current value plus 64.
     */
    int recommendedMaxLocksPerTransaction(long locksNeeded) {
        long slots = Math.max(1, maxConnections + maxPreparedTransactions);
        long needed = (locksNeeded * 3 / 2 + slots - 1) / slots;
        long rounded = ((Math.max(needed, maxLocksPerTransaction + 64L) + 63) / 64) * 64;
        return (int) Math.min(Integer.MAX_VALUE, rounded);
    }

    /** The user-facing explanation: what ran out, why, and what to set. */
    String explain(String partName, long locksNeeded) {
        return "restore of part '" + partName + "' ran out of lock space: its single transaction replaces about "
                + locksNeeded + " objects (each dropped or created table, index, sequence, view, type... takes a "
                + "lock until the commit), but the server's lock table, shared by all sessions, holds about " + capacity()
                + " locks (max_locks_per_transaction = " + maxLocksPerTransaction + " x (max_connections = "
                + maxConnections + " + max_prepared_transactions = " + maxPreparedTransactions + ")). Set "
                + "max_locks_per_transaction to at least " + recommendedMaxLocksPerTransaction(locksNeeded)
                + " (postgresql.conf or ALTER SYSTEM; takes effect after a server restart) and restore again. "
                + "Nothing was changed: the transaction was rolled back.";
    }
}
