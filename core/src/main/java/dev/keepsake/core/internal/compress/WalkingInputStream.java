package dev.keepsake.core.internal.compress;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Passes a compressed stream through {@link CompressedUnits} as it is read (under the decompressor), so that a reader
 * checks the stream's form and the data's SHA-256 while it inflates. At the end of the source it checks that the
 * stream ended after a complete unit ({@link CompressedUnits#finish()}). Skipping reads (the bytes must be walked).
 * Not thread-safe.
 */
public final class WalkingInputStream extends FilterInputStream {

    private final CompressedUnits units;
    private boolean ended;

    public WalkingInputStream(InputStream in, CompressedUnits units) {
        super(in);
        this.units = units;
    }

    public CompressedUnits units() {
        return units;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n <= 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            units.update(b, off, n);
        } else if (n < 0 && !ended) {
            ended = true;
            units.finish();
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(n, 64 * 1024)];
        int r = read(buffer, 0, buffer.length);
        return Math.max(r, 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
