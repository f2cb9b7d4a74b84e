package dev.keepsake.postgres.internal;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Feeds {@code COPY ... FROM STDIN} statements from a thread of its own, so that reading the archive (decompressing
 * and hash-checking, on the caller's thread) overlaps with sending rows to the server. The caller hands over one
 * chunk's content at a time; at most {@value #BLOCKS} blocks of {@value #BLOCK} bytes are in flight. The connection
 * belongs to the sender thread from construction until {@link #finish()} or {@link #close()} returns.
 *
 * <p>Used by one caller thread; not thread-safe otherwise.
 */
final class CopyPipeline implements AutoCloseable {

    static final int BLOCK = 256 * 1024;
    static final int BLOCKS = 16;

    private sealed interface Item permits Start, Data, End, Run, Stop {
    }

    private record Run(String sql, String description) implements Item {
    }

    private record Start(String sql, String description) implements Item {
    }

    private record Data(byte[] buffer, int length) implements Item {
    }

    private record End() implements Item {
    }

    private record Stop() implements Item {
    }

    private final Connection connection;
    private final CopyManager copy;
    private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BLOCKS);
    private final Thread sender;
    private volatile Throwable failure;
    private volatile String failedWhile;
    private boolean stopped;

    CopyPipeline(Connection connection, String threadName) throws SQLException {
        this.connection = connection;
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI();
        for (int i = 0; i < BLOCKS; i++) {
            free.add(new byte[BLOCK]);
        }
        sender = new Thread(this::send, threadName);
        sender.setDaemon(true);
        sender.start();
    }

    /**
     * Queues one {@code COPY} with the whole content of {@code content} (read here, to its end). Returns when every
     * byte is queued; a failure of an earlier or of this COPY is thrown here or by {@link #finish()}.
     */
    void copy(String sql, String description, InputStream content) throws IOException, SQLException {
        checkFailure();
        queue.add(new Start(sql, description));
        while (true) {
            byte[] buffer = takeFree();
            int n = content.readNBytes(buffer, 0, BLOCK);
            if (n > 0) {
                queue.add(new Data(buffer, n));
            } else {
                free.add(buffer);
            }
            if (n < BLOCK) {
                break;
            }
        }
        queue.add(new End());
    }

    /** Queues a statement that the sender runs after what was queued before it (e.g. an index on what it loaded). */
    void execute(String sql, String description) throws IOException, SQLException {
        checkFailure();
        queue.add(new Run(sql, description));
    }

    /** Waits until every queued COPY and statement has ended; throws the sender's failure, if any. */
    void finish() throws IOException, SQLException {
        stop();
        try {
            sender.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(e);
        }
        checkFailure();
    }

    /** What the sender was doing when it failed, if it failed. */
    String failedWhile() {
        return failedWhile;
    }

    /**
     * Stops the sender (cancelling a COPY in progress) and waits for it; idempotent. After a failure the caller rolls
     * the transaction back.
     */
    @Override
    public void close() {
        if (!sender.isAlive()) {
            return;
        }
        queue.clear();
        stop();
        // wait even when this thread is interrupted: the caller must not use the connection while the sender does
        boolean interrupted = Thread.interrupted();
        try {
            join(TimeUnit.SECONDS.toMillis(5));
            if (sender.isAlive()) {
                // blocked writing to a server that does not read: cancel the statement so the write fails
                connection.unwrap(PGConnection.class).cancelQuery();
                join(TimeUnit.SECONDS.toMillis(30));
            }
        } catch (SQLException e) {
            // cancelling failed: closing the connection (next, by the caller) ends the COPY
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Joins the sender for up to {@code millis}, not giving up when interrupted (the flag is kept by the caller). */
    private void join(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (sender.isAlive()) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return;
            }
            try {
                sender.join(left);
            } catch (InterruptedException e) {
                // keep waiting: see close()
            }
        }
    }

    private void stop() {
        if (!stopped) {
            stopped = true;
            queue.add(new Stop());
        }
    }

    private byte[] takeFree() throws IOException, SQLException {
        try {
            while (true) {
                byte[] b = free.poll(100, TimeUnit.MILLISECONDS);
                if (b != null) {
                    return b;
                }
                checkFailure();
                if (!sender.isAlive()) {
                    throw new IOException("the COPY sender stopped unexpectedly");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(e);
        }
    }

    private void checkFailure() throws IOException, SQLException {
        Throwable t = failure;
        if (t == null) {
            return;
        }
        if (t instanceof SQLException s) {
            throw s;
        }
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        throw new IOException(t);
    }

    private static InterruptedIOException interrupted(InterruptedException e) {
        InterruptedIOException ie = new InterruptedIOException("restore interrupted while copying data; nothing was "
                + "changed (the transaction is rolled back)");
        ie.initCause(e);
        return ie;
    }

    private void send() {
        CopyIn in = null;
        String doing = "starting";
        try {
            while (true) {
                Item item = queue.take();
                if (item instanceof Start s) {
                    doing = s.description();
                    in = copy.copyIn(s.sql());
                } else if (item instanceof Data d) {
                    in.writeToCopy(d.buffer(), 0, d.length());
                    free.add(d.buffer());
                } else if (item instanceof End) {
                    in.endCopy();
                    in = null;
                } else if (item instanceof Run r) {
                    doing = r.description();
                    Sql.execute(connection, r.sql());
                } else {
                    return;
                }
            }
        } catch (Throwable t) {
            failedWhile = doing;
            failure = t;
        } finally {
            if (in != null && in.isActive()) {
                try {
                    in.cancelCopy();
                } catch (SQLException e) {
                    // the COPY is being abandoned after a failure or a stop; the transaction is rolled back
                }
            }
        }
    }
}
