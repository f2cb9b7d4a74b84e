package dev.keepsake.postgres.internal.backup;

import dev.keepsake.core.spi.support.Closeables;
import dev.keepsake.core.spi.support.DaemonThreads;
import dev.keepsake.core.spi.support.Throwables;
import dev.keepsake.postgres.internal.ConnectionSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
        ExecutorService openers = Executors.newFixedThreadPool(count,
                DaemonThreads.factory("keepsake-pg-connect", operationId));
        for (int i = 0; i < count; i++) {
            opening.add(openers.submit(() -> {
                Connection c = source.open();
                try {
                    setup.apply(c);
                    return c;
                } catch (SQLException | RuntimeException e) {
                    Closeables.closeAfterFailure(c, e);
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
                throw Throwables.rethrow(e.getCause(), SQLException.class);
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
                    // not needed, or a failure elsewhere: nothing was written through it
                    Closeables.closeQuietly(f.get());
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
}
