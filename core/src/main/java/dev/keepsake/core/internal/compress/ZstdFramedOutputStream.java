package dev.keepsake.core.internal.compress;

import com.github.luben.zstd.ZstdOutputStream;
import dev.keepsake.core.ArchiveFormat;

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

    ZstdFramedOutputStream(OutputStream out, int level) throws IOException {
        super(out, ArchiveFormat.ZSTD);
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
    void writeData(byte[] b, int off, int len) throws IOException {
        frame.write(b, off, len);
    }

    @Override
    void endUnits() throws IOException {
        frame.close();
    }

    @Override
    void finishUnits() throws IOException {
        frame.close();
    }
}
