package dev.keepsake.core.internal.compress;

import dev.keepsake.core.ArchiveFormat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A compressing stream of an archive that can end the data: {@link #endData()} closes the compressed unit in progress
 * (a gzip member, a zstd frame) and hands every byte so far to the underlying stream; what is written after it — the
 * tail: manifest, signature, tar end — is buffered and written on close in the canonical stored form of
 * {@link StoredTail}, which starts with the mark of the manifest. So a reader finds the end of the data without
 * inflating it, and can check the tail byte for byte. Closing finishes the stream and closes the underlying one. The
 * formats supply the compression of the data ({@link #writeData}, {@link #endUnits}, {@link #finishUnits}). Not
 * thread-safe (one writer).
 */
public abstract class CompressedOutput extends OutputStream {

    private final OutputStream out;
    private final ArchiveFormat format;
    /** After {@link #endData()}: the tail, written stored on close. */
    private ByteArrayOutputStream tail;
    private boolean closed;

    CompressedOutput(OutputStream out, ArchiveFormat format) {
        this.out = out;
        this.format = format;
    }

    @Override
    public final void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public final void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("the " + format + " stream is closed");
        }
        if (tail != null) {
            tail.write(b, off, len);
        } else {
            writeData(b, off, len);
        }
    }

    /**
     * Ends the data: what was written before this call is compressed and handed to the underlying stream; what is
     * written after it is the tail. Call once, between the archive's last data entry and its manifest.
     */
    public final void endData() throws IOException {
        if (closed || tail != null) {
            throw new IOException(closed ? "the " + format + " stream is closed" : "the data has already ended");
        }
        endUnits();
        tail = new ByteArrayOutputStream();
    }

    /** Flushes the underlying stream; buffered input stays buffered (compressing it now would cut the stream). */
    @Override
    public final void flush() throws IOException {
        out.flush();
    }

    /** Writes the tail (or, when the data never ended, finishes the compressed stream) and closes the underlying one. */
    @Override
    public final void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (tail == null) {
                finishUnits();
            } else {
                out.write(StoredTail.encode(format, tail.toByteArray()));
            }
            out.close();
        } finally {
            release();
        }
    }

    /** Compresses data bytes (before {@link #endData()}). */
    abstract void writeData(byte[] b, int off, int len) throws IOException;

    /** Ends the unit in progress and hands every compressed byte so far to the underlying stream. */
    abstract void endUnits() throws IOException;

    /** On close of a stream whose data never ended: the same, as the end of an ordinary compressed stream. */
    abstract void finishUnits() throws IOException;

    /** Frees what the compression holds (threads, native memory); called once on close, also after a failure. */
    void release() {
    }
}
