package dev.keepsake.core.internal.archive;

import dev.keepsake.core.spi.PartWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * {@link PartWriter#openStream}: cuts what is written into chunks of a fixed size. Large writes that start at a chunk
 * boundary are appended straight from the caller's array without copying. Not thread-safe. Internal.
 */
final class ChunkingOutputStream extends OutputStream {

    private final PartWriter writer;
    private final String stream;
    private final byte[] buffer;
    private final Runnable onClose;
    private int filled;
    private boolean appendedAny;
    private boolean closed;

    ChunkingOutputStream(PartWriter writer, String stream, int chunkSize, Runnable onClose) {
        this.writer = writer;
        this.stream = stream;
        this.buffer = new byte[chunkSize];
        this.onClose = onClose;
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        buffer[filled++] = (byte) b;
        if (filled == buffer.length) {
            flushChunk();
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        while (len > 0) {
            if (filled == 0 && len >= buffer.length) {
                writer.appendChunk(stream, ByteBuffer.wrap(b, off, buffer.length));
                appendedAny = true;
                off += buffer.length;
                len -= buffer.length;
                continue;
            }
            int n = Math.min(len, buffer.length - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == buffer.length) {
                flushChunk();
            }
        }
    }

    private void flushChunk() throws IOException {
        writer.appendChunk(stream, ByteBuffer.wrap(buffer, 0, filled));
        appendedAny = true;
        filled = 0;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("stream '" + stream + "' is closed");
        }
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (filled > 0 || !appendedAny) {
                flushChunk();
            }
        } finally {
            onClose.run();
        }
    }
}
