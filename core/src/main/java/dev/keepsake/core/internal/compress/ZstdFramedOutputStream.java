package dev.keepsake.core.internal.compress;

import com.github.luben.zstd.ZstdOutputStream;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * zstd compression in the form {@link ZstdFrames} walks: one frame (with content checksum) for the data, ended by
 * {@link #endData()}, the marker {@link ZstdFrames#MARKER} (a skippable frame every zstd reader ignores), then one
 * frame for the rest. Loaded only when zstd is used (zstd-jni is optional). Not thread-safe (one writer).
 */
final class ZstdFramedOutputStream extends CompressedOutput {

    private final OutputStream out;
    private final int level;
    private ZstdOutputStream frame;
    private boolean dataEnded;
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
        frame().write(b, off, len);
    }

    /** The frame being written; after {@link #endData()} the marker and a new frame. */
    private ZstdOutputStream frame() throws IOException {
        if (frame == null) {
            out.write(ZstdFrames.MARKER);
            frame = newFrame();
        }
        return frame;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void endData() throws IOException {
        if (closed || dataEnded) {
            throw new IOException(closed ? "the zstd stream is closed" : "the data has already ended");
        }
        dataEnded = true;
        frame.close();
        frame = null;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            frame().close();
        } finally {
            out.close();
        }
    }
}
