package dev.keepsake.postgres.internal.copy;

import dev.keepsake.core.spi.support.DaemonThreads;
import dev.keepsake.core.spi.support.Throwables;
import dev.keepsake.postgres.internal.Sql;

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
 * chunk's content at a time; at most {@value #BLOCKS} blocks of {@value #BLOCK} bytes are in flight. Consecutive
 * chunks with the same {@code COPY} statement (the same table) go into one {@code COPY}: the server pays a statement's
 * start and end once per run of chunks, not per chunk (for a binary COPY FREEZE of 5 million rows in 4 MiB chunks,
 * 136 statements took about 6.2 s where one took about 5.0 s). The open COPY ends before a different one, a queued
 * statement, or {@link #finish()}. The connection belongs to the sender thread from construction until
 * {@link #finish()} or {@link #close()} returns.
 *
 * <p>Used by one caller thread; not thread-safe otherwise.
 */
public final class CopyPipeline implements AutoCloseable {

    static final int BLOCK = 256 * 1024;
    static final int BLOCKS = 16;

    private sealed interface Item permits Start, Data, Run, Stop {
    }

    private record Run(String sql, String description) implements Item {
    }

    /** One chunk's COPY; {@code chunk} is its index in the table's stream, or -1 when not known. */
    private record Start(String sql, boolean binary, String target, int chunk) implements Item {
    }

    private record Data(byte[] buffer, int length) implements Item {
    }

    /** The end of the sender: after {@link #finish()} it ends the open COPY; after {@link #close()} it abandons it. */
    private record Stop(boolean endOpenCopy) implements Item {
    }

    private final Connection connection;
    private final CopyManager copy;
    private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BLOCKS);
    private final Thread sender;
    private volatile Throwable failure;
    private volatile String failedWhile;
    private boolean stopped;

    public CopyPipeline(Connection connection, String threadName) throws SQLException {
        this.connection = connection;
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI();
        for (int i = 0; i < BLOCKS; i++) {
            free.add(new byte[BLOCK]);
        }
        sender = DaemonThreads.newThread(this::send, threadName);
        sender.start();
    }

    /**
     * Queues the whole content of {@code content} (read here, to its end: whole rows, in binary format without the
     * header and trailer when {@code binary}) for {@code sql}, a {@code COPY ... FROM STDIN}; it joins the COPY still
     * open when that has the same statement. Returns when every byte is queued; a failure of an earlier or of this
     * COPY is thrown here or by {@link #finish()}.
     *
     * @param target what the rows go into, for messages, e.g. "copying data into table public.actor"
     * @param chunk  the chunk's index in its table's stream, for messages; -1 when not known
     */
    public void copy(String sql, boolean binary, String target, int chunk, InputStream content)
            throws IOException, SQLException {
        checkFailure();
        queue.add(new Start(sql, binary, target, chunk));
        while (true) {
            byte[] buffer = takeFree();
            int n = content.readNBytes(buffer, 0, BLOCK);
            if (n > 0) {
                queue.add(new Data(buffer, n));
            } else {
                free.add(buffer);
            }
            if (n < BLOCK) {
                return;
            }
        }
    }

    /** Queues a statement that the sender runs after what was queued before it (e.g. an index on what it loaded). */
    public void execute(String sql, String description) throws IOException, SQLException {
        checkFailure();
        queue.add(new Run(sql, description));
    }

    /** Waits until every queued COPY and statement has ended; throws the sender's failure, if any. */
    public void finish() throws IOException, SQLException {
        if (!stopped) {
            stopped = true;
            queue.add(new Stop(true));
        }
        try {
            sender.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(e);
        }
        checkFailure();
    }

    /** What the sender was doing when it failed, if it failed. */
    public String failedWhile() {
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
        queue.clear(); // also a Stop that finish() queued, when it was interrupted while waiting
        stopped = true;
        queue.add(new Stop(false));
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
        if (t != null) {
            throw Throwables.rethrow(t, IOException.class, SQLException.class);
        }
    }

    private static InterruptedIOException interrupted(InterruptedException e) {
        InterruptedIOException ie = new InterruptedIOException("restore interrupted while copying data; nothing was "
                + "changed (the transaction is rolled back)");
        ie.initCause(e);
        return ie;
    }

    private void send() {
        CopyIn in = null;
        String openSql = null;
        boolean openBinary = false;
        int firstChunk = -1;
        String doing = "starting";
        try {
            while (true) {
                Item item = queue.take();
                if (item instanceof Start s) {
                    if (in != null && s.sql().equals(openSql)) {
                        doing = describe(s.target(), firstChunk, s.chunk());
                        continue;
                    }
                    if (in != null) {
                        end(in, openBinary);
                        in = null;
                    }
                    doing = describe(s.target(), s.chunk(), s.chunk());
                    in = copy.copyIn(s.sql());
                    openSql = s.sql();
                    openBinary = s.binary();
                    firstChunk = s.chunk();
                    if (openBinary) {
                        BinaryCopy.writeHeader(in);
                    }
                } else if (item instanceof Data d) {
                    in.writeToCopy(d.buffer(), 0, d.length());
                    free.add(d.buffer());
                } else if (item instanceof Run r) {
                    if (in != null) {
                        end(in, openBinary);
                        in = null;
                    }
                    doing = r.description();
                    Sql.execute(connection, r.sql());
                } else if (item instanceof Stop stop) {
                    if (stop.endOpenCopy() && in != null) {
                        end(in, openBinary);
                        in = null;
                    }
                    return; // a COPY still open is cancelled below
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

    private static void end(CopyIn in, boolean binary) throws SQLException {
        if (binary) {
            BinaryCopy.writeTrailer(in);
        }
        in.endCopy();
    }

    /** What a run of chunks {@code first} to {@code last} of one COPY is, for messages. */
    public static String describe(String target, int first, int last) {
        if (first < 0) {
            return target;
        }
        if (first == last) {
            return target + " (chunk " + first + ")";
        }
        return target + " (chunks " + first + " to " + last + ", one COPY)";
    }
}
