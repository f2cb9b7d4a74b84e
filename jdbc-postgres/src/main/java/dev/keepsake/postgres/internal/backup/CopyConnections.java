package dev.keepsake.postgres.internal.backup;

import dev.keepsake.postgres.internal.ConnectionSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backup's extra copy connections, opened while the main connection reads the schema: each is opened on a daemon
 * thread named {@code keepsake-pg-connect-<n>-<operation id>}, prepared by the caller's {@link Setup} (session
 * settings, then the exported snapshot) and handed over by {@link #take}. Connections not taken (fewer tables than
 * expected, or a failure) are closed by {@link #close()}. Not thread-safe: used by the backup's thread.
 */
final class CopyConnections implements AutoCloseable {

    /** Prepares one freshly opened connection for copying. */
    @FunctionalInterface
    interface Setup {
        void apply(Connection c) throws SQLException;
    }

    private final List<Future<Connection>> opening = new ArrayList<>();
    /** The first {@code taken} connections belong to the caller. */
    private int taken;

    /** Starts opening {@code count} connections (0: none, and no thread). */
    CopyConnections(ConnectionSource source, int count, Setup setup, String operationId) {
        if (count == 0) {
            return;
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService openers = Executors.newFixedThreadPool(count, r -> {
            Thread t = new Thread(r, "keepsake-pg-connect-" + n.incrementAndGet() + "-" + operationId);
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < count; i++) {
            opening.add(openers.submit(() -> {
                Connection c = source.open();
                try {
                    setup.apply(c);
                    return c;
                } catch (SQLException | RuntimeException e) {
                    closeQuietly(c);
                    throw e;
                }
            }));
        }
        openers.shutdown(); // the threads end once their connection is open
    }

    /** How many connections are being opened. */
    int expected() {
        return opening.size();
    }

    /**
     * Waits for the first {@code count} connections (at most {@link #expected()}) and hands them over; the caller
     * closes them, also when this throws the first failure to open or set up one of them. Call once.
     */
    List<Connection> take(int count) throws SQLException, InterruptedException {
        List<Connection> result = new ArrayList<>();
        int end = Math.min(count, opening.size());
        for (int i = taken; i < end; i++) {
            try {
                result.add(opening.get(i).get());
            } catch (ExecutionException e) {
                // nothing handed over: close() closes the ones already opened, too
                Throwable cause = e.getCause();
                if (cause instanceof SQLException sql) {
                    throw sql;
                }
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                throw new SQLException("opening a copy connection failed: " + cause, cause);
            }
        }
        taken = end;
        return result;
    }

    /** Closes every connection that was opened but not handed over (waiting for those still being opened). */
    @Override
    public void close() {
        boolean interrupted = false;
        for (Future<Connection> f : opening.subList(taken, opening.size())) {
            while (true) {
                try {
                    closeQuietly(f.get());
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    break; // it failed: nothing to close (take reports the failure when it matters)
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            // a connection that failed its set-up or was not needed: nothing was written through it
        }
    }
}
