package dev.keepsake.postgres.internal;

import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartWriter;
import dev.keepsake.postgres.internal.schema.TableRef;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.BooleanSupplier;

/**
 * Streams one table with {@code COPY ... TO STDOUT} (text format) into chunks of whole rows. The server sends
 * exactly one row per CopyData message, so cutting between messages cuts at row boundaries and every chunk can be
 * loaded by its own {@code COPY ... FROM STDIN}. Holds one chunk buffer; not thread-safe (one per worker).
 */
final class TableCopier {

    private final byte[] buffer;

    TableCopier(int chunkSize) {
        this.buffer = new byte[chunkSize];
    }

    /** The COPY statement that writes the table's rows; the restore uses the same column list. */
    static String copyOutSql(TableRef table) {
        return "COPY " + Sql.qualified(table.schema(), table.name()) + Sql.columnList(table.columns()) + " TO STDOUT";
    }

    /**
     * Copies the table into stream {@code streamName}; stops (cancelling the COPY) when {@code stop} turns true or
     * the thread is interrupted.
     *
     * @return the number of bytes copied
     */
    long copy(Connection connection, TableRef table, String streamName, PartWriter out, JobContext context,
              BooleanSupplier stop) throws SQLException, IOException {
        CopyOut copy = connection.unwrap(PGConnection.class).getCopyAPI().copyOut(copyOutSql(table));
        long total = 0;
        int filled = 0;
        int chunks = 0;
        try {
            byte[] row;
            while ((row = copy.readFromCopy()) != null) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("interrupted while copying " + describe(table));
                }
                if (stop.getAsBoolean()) {
                    throw new CancelledException();
                }
                if (filled + row.length > buffer.length && filled > 0) {
                    out.appendChunk(streamName, ByteBuffer.wrap(buffer, 0, filled));
                    context.addProgress(filled);
                    chunks++;
                    filled = 0;
                }
                if (row.length > buffer.length) {
                    // a row larger than a chunk: it becomes a chunk of its own (it is already in memory anyway)
                    out.appendChunk(streamName, ByteBuffer.wrap(row));
                    context.addProgress(row.length);
                    chunks++;
                } else {
                    System.arraycopy(row, 0, buffer, filled, row.length);
                    filled += row.length;
                }
                total += row.length;
            }
            if (filled > 0 || chunks == 0) {
                out.appendChunk(streamName, ByteBuffer.wrap(buffer, 0, filled));
                context.addProgress(filled);
            }
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
        }
    }

    static String describe(TableRef table) {
        return "table " + table.schema() + "." + table.name();
    }

    /** Another worker failed: this one stops without an error of its own. */
    static final class CancelledException extends IOException {
        private static final long serialVersionUID = 1L;

        CancelledException() {
            super("cancelled because another table's copy failed");
        }
    }
}
