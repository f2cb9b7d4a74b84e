package dev.keepsake.postgres.internal.copy;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A socket's own input stream, counting the reads made of it: how {@link BatchedReads} reads the socket, seen from
 * below. A read asking for {@link BatchedReads#BUFFER} bytes is a batched fill (pgjdbc asks for at most 8 KiB).
 * Thread-safe counters.
 */
final class CountingInput extends FilterInputStream {

    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong batchedFills = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    CountingInput(InputStream in) {
        super(in);
    }

    /** Reads of the socket so far. */
    long reads() {
        return reads.get();
    }

    /** Reads of the socket so far that asked for a whole batch ({@link BatchedReads#BUFFER} bytes). */
    long batchedFills() {
        return batchedFills.get();
    }

    /** Bytes the socket delivered so far. */
    long bytes() {
        return bytes.get();
    }

    @Override
    public int read() throws IOException {
        reads.incrementAndGet();
        int b = super.read();
        if (b >= 0) {
            bytes.incrementAndGet();
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        reads.incrementAndGet();
        if (len == BatchedReads.BUFFER) {
            batchedFills.incrementAndGet();
        }
        int n = super.read(b, off, len);
        if (n > 0) {
            bytes.addAndGet(n);
        }
        return n;
    }
}
