package dev.keepsake.core.internal.compress;

import dev.keepsake.core.ArchiveFormat;
import dev.keepsake.core.spi.support.DaemonThreads;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip compression on several threads: the stream is cut into blocks, each block becomes a complete, independent gzip
 * member (RFC 1952 allows any number of members; {@code gzip -d}, {@code tar} and the archive reader read them as one
 * stream), members are compressed in parallel and written in order. Memory is bounded: at most {@code 2 × threads}
 * blocks are in flight, and the writing thread waits for the oldest when the window is full. Level 1 deflates with
 * {@link GreedyDeflate}, the other levels with zlib. {@link #endData()} cuts the stream before an archive's
 * manifest; what follows is buffered and written on close in the canonical stored form of {@link StoredTail}, whose
 * first member is marked. Closing it finishes the
 * stream and closes the underlying one. Not thread-safe (one writer); the compressor threads are named daemon threads
 * that end when the stream is closed (or idle for a few seconds after an abandoned stream).
 */
public final class ParallelGzipOutputStream extends CompressedOutput {

    /** Uncompressed bytes per gzip member. */
    static final int BLOCK_SIZE = 1024 * 1024;
    private static final AtomicInteger POOLS = new AtomicInteger();
    /**
     * Member header: gzip magic, deflate, FLG.FEXTRA, no time, unknown OS; then an extra field of 8 bytes holding one
     * subfield {@code 'K','S'} of 4 bytes: the member's total length (little-endian), filled in once known. Like
     * BGZF's block size, it lets {@link MemberGzipInputStream} find every member without inflating the one before
     * (and inflate several at once); other readers skip the extra field.
     */
    public static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 4, 0, 0, 0, 0, 0, (byte) 0xff, 8, 0, 'K', 'S', 4, 0,
        0, 0, 0, 0};
    /** Offset of the member length in {@link #HEADER}. */
    public static final int LENGTH_AT = 16;
    /** Offset of the subfield id ({@code 'K','S'}) in {@link #HEADER}. */
    public static final int SUBFIELD_AT = 12;
    /**
     * The subfield id of the member that starts the manifest: {@code 'K','M'} instead of {@code 'K','S'} (same
     * length field). Everything before it is the data whose SHA-256 the manifest records.
     */
    public static final byte[] MANIFEST_MARK = {'K', 'M'};

    private final OutputStream out;
    private final int level;
    private final ThreadPoolExecutor pool;
    private final BlockingQueue<Compressor> compressors;
    private final BlockingQueue<byte[]> spareBlocks;
    private final ArrayDeque<CompletableFuture<byte[][]>> inFlight = new ArrayDeque<>();
    private final int window;
    private byte[] block;
    private int filled;
    private boolean anyMember;
    ParallelGzipOutputStream(OutputStream out, int level, int threads) {
        super(out, ArchiveFormat.GZIP);
        this.out = out;
        this.level = level;
        this.window = 2 * threads;
        this.pool = new ThreadPoolExecutor(threads, threads, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                DaemonThreads.factory("keepsake-gzip-" + POOLS.incrementAndGet()));
        pool.allowCoreThreadTimeOut(true);
        this.compressors = new ArrayBlockingQueue<>(threads);
        this.spareBlocks = new ArrayBlockingQueue<>(window + 1);
        this.block = new byte[BLOCK_SIZE];
    }

    @Override
    void writeData(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, BLOCK_SIZE - filled);
            System.arraycopy(b, off, block, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == BLOCK_SIZE) {
                submitBlock();
            }
        }
    }


    /**
     * Ends the current member (even a short one) and writes out every member so far, so that the underlying stream
     * has received all bytes written before this call. What is written after it is the tail: buffered, and written on
     * close as {@link StoredTail} stores it, its first member marked as the manifest's ({@link #MANIFEST_MARK}).
     */
    @Override
    void endUnits() throws IOException {
        if (filled > 0) {
            submitBlock();
        }
        while (!inFlight.isEmpty()) {
            writeOldest();
        }
    }

    private void submitBlock() throws IOException {
        byte[] data = block;
        int length = filled;
        block = spareBlocks.poll();
        if (block == null) {
            block = new byte[BLOCK_SIZE];
        }
        filled = 0;
        anyMember = true;
        inFlight.add(CompletableFuture.supplyAsync(() -> compress(data, length), pool));
        while (inFlight.size() >= window) {
            writeOldest();
        }
    }

    private void writeOldest() throws IOException {
        byte[][] member;
        try {
            member = inFlight.removeFirst().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            release();
            throw new InterruptedIOException("interrupted while compressing the archive");
        } catch (ExecutionException e) {
            release();
            throw new IOException("compressing the archive failed: " + e.getCause(), e.getCause());
        }
        out.write(member[0], 0, member[0].length);
        spareBlocks.offer(member[1]);
    }

    /** One complete gzip member of {@code data[0, length)}; returns {member bytes, the input block for reuse}. */
    private byte[][] compress(byte[] data, int length) {
        Compressor c = compressors.poll();
        if (c == null) {
            c = new Compressor(level);
        }
        try {
            return new byte[][] {c.member(data, length), data};
        } finally {
            if (!compressors.offer(c)) {
                c.end();
            }
        }
    }

    /**
     * A deflater ({@link GreedyDeflate} at level 1, zlib's for the other levels), a CRC and an output buffer, reused
     * from member to member (one thread at a time).
     */
    private static final class Compressor {
        private final Deflater deflater;
        private final GreedyDeflate greedy;
        private final CRC32 crc = new CRC32();
        private byte[] buffer = new byte[HEADER.length + GreedyDeflate.maxCompressedLength(BLOCK_SIZE) + 8];

        Compressor(int level) {
            greedy = level == 1 ? new GreedyDeflate() : null;
            deflater = greedy == null ? new Deflater(level, true) : null;
        }

        byte[] member(byte[] data, int length) {
            crc.reset();
            crc.update(data, 0, length);
            System.arraycopy(HEADER, 0, buffer, 0, HEADER.length);
            int pos = HEADER.length;
            if (greedy != null) {
                // a block is never longer than BLOCK_SIZE, for which the buffer is sized
                pos += greedy.deflate(data, 0, length, buffer, pos);
            } else {
                deflater.reset();
                deflater.setInput(data, 0, length);
                deflater.finish();
                while (!deflater.finished()) {
                    if (pos == buffer.length) {
                        buffer = Arrays.copyOf(buffer, buffer.length * 2);
                    }
                    pos += deflater.deflate(buffer, pos, buffer.length - pos);
                }
            }
            byte[] member = Arrays.copyOf(buffer, pos + 8);
            writeIntLe(member, pos, (int) crc.getValue());
            writeIntLe(member, pos + 4, length);
            writeIntLe(member, LENGTH_AT, member.length);
            return member;
        }

        void end() {
            if (deflater != null) {
                deflater.end();
            }
        }
    }

    private static void writeIntLe(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    @Override
    void finishUnits() throws IOException {
        if (filled > 0 || !anyMember) {
            submitBlock(); // an empty stream is one empty member
        }
        while (!inFlight.isEmpty()) {
            writeOldest();
        }
    }

    /** Stops the compressor threads and frees the deflaters' native memory. */
    @Override
    void release() {
        inFlight.forEach(f -> f.cancel(false));
        inFlight.clear();
        pool.shutdown();
        Compressor c;
        while ((c = compressors.poll()) != null) {
            c.end();
        }
    }
}
