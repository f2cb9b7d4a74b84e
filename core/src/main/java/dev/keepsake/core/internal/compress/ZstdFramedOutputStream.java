package dev.keepsake.core.internal.compress;

import com.github.luben.zstd.ZstdOutputStream;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * zstd compression in the form {@link ZstdFrames} walks: one frame (with content checksum) for the data, ended by
 * {@link #endData()}; what follows (the tail: manifest, signature, tar end) is buffered and written on close as
 * {@link StoredTail} stores it: the marker {@link ZstdFrames#MARKER} (a skippable frame every zstd reader ignores),
 * then one frame of raw blocks. Loaded only when zstd is used (zstd-jni is optional). Not thread-safe (one writer).
 */
final class ZstdFramedOutputStream extends CompressedOutput {

    private final OutputStream out;
    private final int level;
    private ZstdOutputStream frame;
    /** After {@link #endData()}: the tail, written stored on close. */
    private java.io.ByteArrayOutputStream tail;
    private boolean closed;

    ZstdFramedOutputStream(OutputStream out, int level) throws IOException {
        this.out = out;
        this.level = level;
        this.frame = newFrame();
    }

    private ZstdOutputStream newFrame() throws IOException {
        ZstdOutputStream z = new ZstdOutputStream(new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush(); // ending a frame leaves the archive's stream open
            }
        }, level);
        z.setChecksum(true);
        return z;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("the zstd stream is closed");
        }
        if (tail != null) {
            tail.write(b, off, len);
        } else {
            frame.write(b, off, len);
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void endData() throws IOException {
        if (closed || tail != null) {
            throw new IOException(closed ? "the zstd stream is closed" : "the data has already ended");
        }
        frame.close();
        frame = null;
        tail = new java.io.ByteArrayOutputStream();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (tail == null) {
                frame.close();
            } else {
                out.write(StoredTail.zstd(tail.toByteArray()));
            }
        } finally {
            out.close();
        }
    }
}
