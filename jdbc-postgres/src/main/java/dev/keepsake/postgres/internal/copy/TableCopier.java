package dev.keepsake.postgres.internal.copy;

import dev.keepsake.core.spi.support.Throwables;
import dev.keepsake.core.spi.PartWriter;
import dev.keepsake.postgres.internal.Sql;
import dev.keepsake.postgres.internal.schema.TableRef;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * Streams one table with {@code COPY ... TO STDOUT} (text or {@linkplain BinaryCopy binary} format) into chunks of
 * whole rows. The server sends exactly one row per CopyData message, so cutting between messages cuts at row
 * boundaries and every chunk can be loaded by its own {@code COPY ... FROM STDIN} (in binary, the header the server
 * glues to the first row and the trailer are left out of the chunks).
 *
 * <p>Double-buffered: while one chunk is handed to the archive (compressed and hashed by the engine) on this worker's
 * appender thread, the next one fills from the server, so the server's COPY and the compression overlap. Holds two
 * chunk buffers; not thread-safe (one per worker).
 */
public final class TableCopier {

    private final byte[][] buffers;
    private final ExecutorService appender;
    private Future<?> pending;

    /** @param appender a single-thread executor that appends this worker's chunks, in order */
    public TableCopier(int chunkSize, ExecutorService appender) {
        this.buffers = new byte[][]{new byte[chunkSize], new byte[chunkSize]};
        this.appender = appender;
    }

    /** The COPY statement that writes the table's rows; the restore uses the same column list. */
    public static String copyOutSql(TableRef table, boolean binary) {
        return "COPY " + Sql.qualified(table.schema(), table.name()) + Sql.columnList(table.columns()) + " TO STDOUT"
                + BinaryCopy.options(binary, false);
    }

    /**
     * The COPY statement that writes the rows of one range of the table's heap blocks, in the same form as
     * {@link #copyOutSql(TableRef, boolean)} (same columns in the same order and format); {@code range} is a
     * condition on {@code ctid} (see {@link dev.keepsake.postgres.internal.backup.CopyPlan}), null for the whole table.
     */
    public static String copyOutSql(TableRef table, String range, boolean binary) {
        if (range == null) {
            return copyOutSql(table, binary);
        }
        return "COPY (SELECT " + String.join(", ", table.columns().stream().map(Sql::ident).toList()) + " FROM ONLY "
                + Sql.qualified(table.schema(), table.name()) + " WHERE " + range + ") TO STDOUT"
                + BinaryCopy.options(binary, false);
    }

    /**
     * Copies the table, or the block range {@code range} of it (null: all of it), into stream {@code streamName}, in
     * binary format when {@code binary} (header and trailer left out), else in text format; stops (cancelling the
     * COPY) when {@code stop} turns true or the thread is interrupted. Returns once every chunk of the table is in the
     * archive.
     *
     * @return the number of bytes copied
     */
    public long copy(Connection connection, TableRef table, String range, boolean binary, String streamName, PartWriter out,
              BooleanSupplier stop) throws SQLException, IOException {
        try (BatchedReads.Scope batching = BatchedReads.batching()) {
            return copyRows(connection, table, range, binary, streamName, out, stop);
        }
    }

    private long copyRows(Connection connection, TableRef table, String range, boolean binary, String streamName,
                          PartWriter out, BooleanSupplier stop) throws SQLException, IOException {
        CopyOut copy = connection.unwrap(PGConnection.class).getCopyAPI().copyOut(copyOutSql(table, range, binary));
        long total = 0;
        int current = 0;
        byte[] buffer = buffers[current];
        int filled = 0;
        int chunks = 0;
        boolean completed = false;
        boolean first = true;
        try {
            byte[] row;
            while ((row = copy.readFromCopy()) != null) {
                int from = 0;
                if (binary) {
                    if (first && !BinaryCopy.startsWithHeader(row)) {
                        throw new IOException("the server's binary COPY of " + table.describe() + " does not start "
                                + "with the expected header (flags and extension 0); back up with binaryCopy(false)");
                    }
                    from = first ? BinaryCopy.headerLength() : 0;
                    if (BinaryCopy.isTrailer(row, from)) {
                        first = false;
                        continue;
                    }
                }
                first = false;
                int length = row.length - from;
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("interrupted while copying " + table.describe());
                }
                if (stop.getAsBoolean()) {
                    throw new CancelledException();
                }
                if (length == 0) {
                    continue;
                }
                if (filled + length > buffer.length && filled > 0) {
                    append(out, streamName, buffer, 0, filled);
                    chunks++;
                    current ^= 1;
                    buffer = buffers[current];
                    filled = 0;
                }
                if (length > buffer.length) {
                    // a row larger than a chunk: it becomes a chunk of its own (it is already in memory anyway)
                    append(out, streamName, row, from, length);
                    chunks++;
                } else {
                    System.arraycopy(row, from, buffer, filled, length);
                    filled += length;
                }
                total += length;
            }
            if (filled > 0 || chunks == 0) {
                append(out, streamName, buffer, 0, filled);
            }
            awaitPending();
            completed = true;
            return total;
        } finally {
            if (copy.isActive()) {
                try {
                    copy.cancelCopy();
                } catch (SQLException e) {
                    // the COPY failed or the connection broke: the original failure is the one to report; the
                    // connection is closed (and its transaction rolled back) by the caller anyway
                }
            }
            if (!completed) {
                awaitPendingQuietly();
            }
        }
    }

    /** Hands a filled buffer to the appender once the previous one is in the archive (so one buffer stays free). */
    private void append(PartWriter out, String streamName, byte[] data, int offset, int length) throws IOException {
        awaitPending();
        pending = appender.submit(() -> {
            out.appendChunk(streamName, ByteBuffer.wrap(data, offset, length));
            return null;
        });
    }

    private void awaitPending() throws IOException {
        if (pending == null) {
            return;
        }
        try {
            pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException ie = new InterruptedIOException("interrupted while handing a chunk to the archive");
            ie.initCause(e);
            throw ie;
        } catch (ExecutionException e) {
            throw Throwables.rethrow(e.getCause(), IOException.class);
        } finally {
            pending = null;
        }
    }

    /** After a failure: let an append in flight finish, so its buffer is not reused under it. */
    private void awaitPendingQuietly() {
        boolean interrupted = Thread.interrupted();
        try {
            if (pending != null) {
                pending.get();
            }
        } catch (InterruptedException | ExecutionException e) {
            // the copy already failed; that failure is the one reported
        } finally {
            pending = null;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Another worker failed: this one stops without an error of its own. */
    public static final class CancelledException extends IOException {
        private static final long serialVersionUID = 1L;

        CancelledException() {
            super("cancelled because another table's copy failed");
        }
    }
}
