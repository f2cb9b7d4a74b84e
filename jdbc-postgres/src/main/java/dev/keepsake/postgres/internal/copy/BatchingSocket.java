package dev.keepsake.postgres.internal.copy;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;

/**
 * A plain TCP socket whose input stream is {@link BatchedReads}. Thread-safe as {@link Socket} is; the stream is made
 * once, so every caller of {@link #getInputStream()} shares its buffer.
 */
public final class BatchingSocket extends Socket {

    private BatchedReads in;

    @Override
    public synchronized InputStream getInputStream() throws IOException {
        if (in == null) {
            in = new BatchedReads(super.getInputStream());
        }
        return in;
    }
}
