package dev.keepsake.core.internal.compress;

import dev.keepsake.core.spi.support.Throwables;
import dev.keepsake.core.spi.support.DaemonThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads its source on a thread of its own, ahead of the consumer, so that decompressing an archive (the source) runs
 * in parallel with hashing and parsing it (the consumer) — on a restore that halves the time of the verification
 * pass. At most {@value #DEPTH} blocks of {@value #BLOCK} bytes are read ahead. A failure of the source is thrown to
 * the consumer after the bytes read before it, as the source would have. Closing stops the reader thread (a named
 * daemon thread, {@code keepsake-archive-read-N}) and closes the source.
 *
 * <p>One consumer thread; not thread-safe otherwise. The source is only ever touched by the reader thread.
 */
public final class ReadAheadInputStream extends InputStream {

    static final int BLOCK = 256 * 1024;
    static final int DEPTH = 4;
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final byte[] END = new byte[0];

    private record Block(byte[] data, int length, Throwable failure) {
    }

    private final InputStream source;
    private final BlockingQueue<Block> filled = new ArrayBlockingQueue<>(DEPTH);
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(DEPTH + 1);
    private final Thread reader;
    private volatile boolean closed;
    private Block current;
    private int position;
    private boolean ended;
    private Throwable failure;

    public ReadAheadInputStream(InputStream source) {
        this.source = source;
        for (int i = 0; i <= DEPTH; i++) {
            free.add(new byte[BLOCK]);
        }
        reader = DaemonThreads.start("keepsake-archive-read-" + THREADS.incrementAndGet(), this::readAhead);
    }

    private void readAhead() {
        try {
            while (!closed) {
                byte[] buffer = free.poll(100, TimeUnit.MILLISECONDS);
                if (buffer == null) {
                    continue;
                }
                int n = 0;
                boolean end = false;
                Throwable failure = null;
                try {
                    while (n < BLOCK) {
                        int r = source.read(buffer, n, BLOCK - n);
                        if (r < 0) {
                            end = true;
                            break;
                        }
                        n += r;
                    }
                } catch (Throwable t) {
                    failure = t; // delivered after the bytes read before it
                }
                if (n > 0) {
                    put(new Block(buffer, n, null));
                }
                if (end || failure != null) {
                    if (!closed) {
                        put(new Block(END, 0, failure));
                    }
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closing: nobody waits for more
        }
    }

    private void put(Block b) throws InterruptedException {
        while (!closed) {
            if (filled.offer(b, 100, TimeUnit.MILLISECONDS)) {
                return;
            }
        }
    }

    /** The next block with data, or false at the end (throwing the source's failure there, if any). */
    private boolean advance() throws IOException {
        while (current == null || position == current.length()) {
            if (current != null && current.data() != END) {
                free.offer(current.data());
            }
            current = null;
            if (ended) {
                return rethrow();
            }
            Block next;
            try {
                next = filled.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading the archive");
            }
            if (next.data() == END) {
                ended = true;
                failure = next.failure();
                return rethrow();
            }
            current = next;
            position = 0;
        }
        return true;
    }

    private boolean rethrow() throws IOException {
        if (failure == null) {
            return false;
        }
        throw Throwables.rethrow(failure, IOException.class);
    }

    @Override
    public int read() throws IOException {
        if (!advance()) {
            return -1;
        }
        return current.data()[position++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (closed) {
            throw new IOException("the archive stream is closed");
        }
        if (!advance()) {
            return -1;
        }
        int n = Math.min(len, current.length() - position);
        System.arraycopy(current.data(), position, b, off, n);
        position += n;
        return n;
    }

    /** Skips within the blocks read ahead, without copying; 0 only at the end. */
    @Override
    public long skip(long n) throws IOException {
        if (n <= 0) {
            return 0;
        }
        if (closed) {
            throw new IOException("the archive stream is closed");
        }
        if (!advance()) {
            return 0;
        }
        int k = (int) Math.min(n, current.length() - position);
        position += k;
        return k;
    }

    @Override
    public int available() {
        return current == null ? 0 : current.length() - position;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        reader.interrupt();
        boolean interrupted = Thread.interrupted();
        try {
            reader.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        filled.clear();
        source.close();
    }
}
