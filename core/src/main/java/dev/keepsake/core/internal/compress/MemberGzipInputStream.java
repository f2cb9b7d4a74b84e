package dev.keepsake.core.internal.compress;

import dev.keepsake.core.spi.support.DaemonThreads;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads the gzip stream {@link ParallelGzipOutputStream} writes — members whose header records their length — and
 * inflates several members at once, on named daemon threads ({@code keepsake-gunzip-N-M}); the bytes come out in
 * order. Every member is checked as a gzip reader would (header, complete deflate data, CRC-32 and length in the
 * trailer) and must decompress to at most {@value #MAX_MEMBER_OUTPUT} bytes (the writer's members hold
 * {@value ParallelGzipOutputStream#BLOCK_SIZE}); bytes after the last member that are not gzip fail the stream as
 * {@linkplain DamagedGzipException damaged}, and so does a member of another writer (one whose header does not record
 * its length). At most {@code 2 × threads} members are in memory.
 *
 * <p>One reading thread; not thread-safe otherwise. Closing stops the threads and closes the source.
 */
public final class MemberGzipInputStream extends InputStream {

    public static final int MAX_MEMBER_OUTPUT = 4 * ParallelGzipOutputStream.BLOCK_SIZE;
    /** Pooled buffer sizes: what the writer's members need (a 1 MiB block, and its deflate output at worst). */
    private static final int OUTPUT_CAPACITY = ParallelGzipOutputStream.BLOCK_SIZE;
    private static final int INPUT_CAPACITY = ParallelGzipOutputStream.BLOCK_SIZE + ParallelGzipOutputStream.BLOCK_SIZE
            / 16 + 1024;
    private static final Block EMPTY = new Block(new byte[0], 0);
    static final int MAX_MEMBER_LENGTH = MAX_MEMBER_OUTPUT + MAX_MEMBER_OUTPUT / 100 + 1024;
    private static final int HEADER_LENGTH = ParallelGzipOutputStream.HEADER.length;
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final InputStream in;
    private final ThreadPoolExecutor pool;
    private final int window;
    private final ArrayDeque<CompletableFuture<Block>> inFlight = new ArrayDeque<>();
    /** Reused buffers (members and their output are ~1 MiB: allocating each anew churns a small heap). */
    private final BlockingQueue<byte[]> spareInputs;
    private final BlockingQueue<byte[]> spareOutputs;
    private long membersRead;
    private boolean sourceEnded;
    private Block current = new Block(new byte[0], 0);
    private int position;
    private boolean closed;

    public MemberGzipInputStream(InputStream in, int threads) {
        this.in = in;
        this.window = 2 * threads;
        this.spareInputs = new ArrayBlockingQueue<>(window + 2);
        this.spareOutputs = new ArrayBlockingQueue<>(window + 2);
        this.pool = new ThreadPoolExecutor(threads, threads, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                DaemonThreads.factory("keepsake-gunzip-" + POOLS.incrementAndGet()));
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Whether {@code header} (the first {@code length} bytes of a stream) starts a member in the form this class
     * reads: gzip, deflate, only FLG.FEXTRA, then (when that many bytes are there) the extra field with the
     * {@code 'K','S'} length subfield. A stream cut off inside that header still counts (reading it then fails as
     * incomplete).
     */
    public static boolean startsMember(byte[] header, int length) {
        if (length < 4) {
            return false;
        }
        int checked = Math.min(length, ParallelGzipOutputStream.LENGTH_AT);
        for (int i = 0; i < checked; i++) {
            if (i >= 4 && i <= 9) {
                continue; // modification time, extra flags, operating system: any value
            }
            if (header[i] != ParallelGzipOutputStream.HEADER[i]
                    && !(i == ParallelGzipOutputStream.SUBFIELD_AT + 1 && header[i] == 'M')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("the gzip stream is closed");
        }
        if (len == 0) {
            return 0;
        }
        while (position == current.length()) {
            if (current.data().length == OUTPUT_CAPACITY) {
                spareOutputs.offer(current.data());
            }
            current = EMPTY;
            position = 0;
            fill();
            if (inFlight.isEmpty()) {
                return -1;
            }
            current = take();
            position = 0;
        }
        int n = Math.min(len, current.length() - position);
        System.arraycopy(current.data(), position, b, off, n);
        position += n;
        return n;
    }

    /**
     * Reads members from the source and starts inflating them until the window is full or the source ends. A failure
     * to read a member is queued in its place, so the bytes of the members before it come out first.
     */
    private void fill() {
        while (!sourceEnded && inFlight.size() < window) {
            Block member;
            try {
                member = nextMember();
            } catch (IOException | RuntimeException e) {
                sourceEnded = true;
                inFlight.add(CompletableFuture.failedFuture(e));
                return;
            }
            if (member == null) {
                sourceEnded = true;
                return;
            }
            long index = membersRead++;
            inFlight.add(CompletableFuture.supplyAsync(() -> inflate(member, index), pool));
        }
    }

    private Block take() throws IOException {
        try {
            return inFlight.removeFirst().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while decompressing the archive");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof DamagedMember d) {
                throw new DamagedGzipException(d.getMessage());
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException("decompressing the archive failed: " + cause, cause);
        }
    }

    /** The next whole member, or null at the end of the source; fails on anything else. */
    private Block nextMember() throws IOException {
        byte[] header = new byte[HEADER_LENGTH];
        int n = in.readNBytes(header, 0, HEADER_LENGTH);
        if (n == 0 && membersRead > 0) {
            return null;
        }
        if (n < 2 || (header[0] & 0xff) != 0x1f || (header[1] & 0xff) != 0x8b) {
            throw new DamagedGzipException(membersRead > 0 ? "Garbage after a valid .gz stream (after member "
                    + membersRead + ")" : "Input is not in the .gz format");
        }
        if (!startsMember(header, n)) {
            throw new DamagedGzipException("gzip member " + (membersRead + 1) + " was not written by Keepsake (its "
                    + "header does not record its length)");
        }
        if (n < HEADER_LENGTH) {
            throw new EOFException("the archive ends inside the header of gzip member " + (membersRead + 1));
        }
        int length = (header[ParallelGzipOutputStream.LENGTH_AT] & 0xff)
                | (header[ParallelGzipOutputStream.LENGTH_AT + 1] & 0xff) << 8
                | (header[ParallelGzipOutputStream.LENGTH_AT + 2] & 0xff) << 16
                | (header[ParallelGzipOutputStream.LENGTH_AT + 3] & 0xff) << 24;
        if (length < HEADER_LENGTH + 8 || length > MAX_MEMBER_LENGTH) {
            throw new DamagedGzipException("gzip member " + (membersRead + 1) + " claims a length of "
                    + Integer.toUnsignedString(length) + " bytes, outside " + (HEADER_LENGTH + 8) + "-"
                    + MAX_MEMBER_LENGTH);
        }
        byte[] member = length <= INPUT_CAPACITY ? spare(spareInputs, INPUT_CAPACITY) : new byte[length];
        System.arraycopy(header, 0, member, 0, HEADER_LENGTH);
        int rest = in.readNBytes(member, HEADER_LENGTH, length - HEADER_LENGTH);
        if (rest < length - HEADER_LENGTH) {
            throw new EOFException("the archive ends inside gzip member " + (membersRead + 1));
        }
        return new Block(member, length);
    }

    private static byte[] spare(BlockingQueue<byte[]> spares, int capacity) {
        byte[] b = spares.poll();
        return b != null ? b : new byte[capacity];
    }

    /** Inflates one member on a pool thread and gives its input buffer back for reuse. */
    private Block inflate(Block member, long index) {
        try {
            return inflate(member.data(), member.length(), index, spareOutputs);
        } finally {
            if (member.data().length == INPUT_CAPACITY) {
                spareInputs.offer(member.data());
            }
        }
    }

    /** Inflates one member completely and checks its trailer; runs on a pool thread. */
    private static Block inflate(byte[] member, int memberLength, long index, BlockingQueue<byte[]> spareOutputs) {
        int trailer = memberLength - 8;
        long expectedCrc = readIntLe(member, trailer) & 0xffffffffL;
        long expectedSize = readIntLe(member, trailer + 4) & 0xffffffffL;
        if (expectedSize > MAX_MEMBER_OUTPUT) {
            throw new DamagedMember("gzip member " + (index + 1) + " claims to expand to " + expectedSize
                    + " bytes, more than " + MAX_MEMBER_OUTPUT);
        }
        int size = (int) expectedSize;
        byte[] out = size <= OUTPUT_CAPACITY ? spare(spareOutputs, OUTPUT_CAPACITY) : new byte[size];
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(member, HEADER_LENGTH, trailer - HEADER_LENGTH);
            int done = 0;
            while (done < size) {
                int n = inflater.inflate(out, done, size - done);
                if (n == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                done += n;
            }
            if (done < size || !inflater.finished() && !endsHere(inflater)) {
                throw new DamagedMember("gzip member " + (index + 1) + " is damaged: its data does not expand to "
                        + "the " + expectedSize + " bytes its trailer gives");
            }
            if (inflater.getRemaining() != 0) {
                throw new DamagedMember("gzip member " + (index + 1) + " is damaged: its deflate data ends "
                        + inflater.getRemaining() + " bytes before its trailer");
            }
            CRC32 crc = new CRC32();
            crc.update(out, 0, size);
            if (crc.getValue() != expectedCrc) {
                throw new DamagedMember("gzip member " + (index + 1) + " is damaged: CRC-32 mismatch");
            }
            return new Block(out, size);
        } catch (DataFormatException e) {
            throw new DamagedMember("gzip member " + (index + 1) + " is damaged: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }

    /** After the expected bytes: the deflate stream must end right there (no more output). */
    private static boolean endsHere(Inflater inflater) throws DataFormatException {
        byte[] probe = new byte[1];
        int n = inflater.inflate(probe);
        return n == 0 && inflater.finished();
    }

    private static int readIntLe(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        inFlight.forEach(f -> f.cancel(false));
        inFlight.clear();
        pool.shutdownNow();
        in.close();
    }

    /** The compressed data is damaged (as opposed to cut off): a member fails its checks, or garbage follows. */
    public static final class DamagedGzipException extends IOException {
        private static final long serialVersionUID = 1L;

        DamagedGzipException(String message) {
            super(message);
        }
    }

    /** A member that fails its checks (thrown on a pool thread, reported as an IOException to the reader). */
    /** Bytes {@code [0, length)} of {@code data}. */
    private record Block(byte[] data, int length) {
    }

    private static final class DamagedMember extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DamagedMember(String message) {
            super(message, null, false, false);
        }
    }
}
