package dev.keepsake.core.internal.archive;

import dev.keepsake.core.spi.support.Closeables;
import dev.keepsake.core.internal.compress.CompressedUnits;
import dev.keepsake.core.internal.compress.Compression;
import dev.keepsake.core.internal.compress.ReadAheadInputStream;
import dev.keepsake.core.internal.compress.WalkingInputStream;
import dev.keepsake.core.ArchiveFormat;
import dev.keepsake.core.ArchiveVerificationException;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * An archive file opened for reading: file → buffer → counter of compressed bytes → walk of the compressed units
 * ({@link CompressedUnits}: the stream's form and the data's SHA-256) → decompressor (on a read-ahead thread, see
 * {@link ReadAheadInputStream}) → bounded counter of decompressed bytes → tar. Not thread-safe. Internal.
 */
final class ArchiveInput implements AutoCloseable {

    final ArchiveFormat format;
    final DecompressedCounter decompressed;
    final TarReader tar;
    /** The walk of the compressed units, as far as the decompressor has read. */
    final CompressedUnits units;
    private final InputStream file;
    private final ReadAheadInputStream readAhead;

    private ArchiveInput(InputStream file, ArchiveFormat format, CompressedUnits units, ReadAheadInputStream readAhead,
                         DecompressedCounter decompressed) {
        this.file = file;
        this.units = units;
        this.readAhead = readAhead;
        this.format = format;
        this.decompressed = decompressed;
        this.tar = new TarReader(decompressed);
    }

    /**
     * @param limit      most decompressed bytes to read before refusing
     * @param limitWhat  how to describe the limit in the refusal
     * @param progress   receives the number of compressed bytes read so far, or null
     */
    static ArchiveInput open(Path path, long limit, String limitWhat, LongConsumer progress) throws IOException {
        InputStream raw;
        try {
            raw = Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            throw new ArchiveVerificationException("The archive file does not exist (" + path.getFileName()
                    + "); upload or copy it again.");
        }
        try {
            CompressedCounter compressed = new CompressedCounter(new BufferedInputStream(raw, ArchiveLayout.BUFFER_SIZE),
                    progress);
            byte[] magic = new byte[4];
            compressed.mark(8);
            int n = compressed.readNBytes(magic, 0, 4);
            compressed.reset();
            ArchiveFormat format = Compression.detect(magic, n);
            if (format == null) {
                throw new ArchiveVerificationException("The file is not a Keepsake archive: it is neither gzip nor "
                        + "zstd compressed; upload the .tgz (or .tar.zst) file that a backup produced.");
            }
            if (format == ArchiveFormat.ZSTD && !Compression.zstdAvailable()) {
                throw new ArchiveVerificationException("The archive is zstd compressed, but zstd support is not "
                        + "installed; add com.github.luben:zstd-jni to the application's class path.");
            }
            CompressedUnits units = CompressedUnits.of(format);
            InputStream decompressor = Compression.decompress(format, new WalkingInputStream(compressed, units), 0);
            ReadAheadInputStream decompressing = new ReadAheadInputStream(decompressor);
            return new ArchiveInput(raw, format, units, decompressing,
                    new DecompressedCounter(decompressing, limit, limitWhat));
        } catch (IOException | RuntimeException e) {
            Closeables.closeAfterFailure(raw, e);
            if (e instanceof IOException io && !(e instanceof InterruptedIOException)) {
                throw new ArchiveVerificationException("The archive is damaged: its compressed data cannot be read ("
                        + io.getMessage() + "); use an intact copy.", io);
            }
            throw e;
        }
    }

    /**
     * Checks, once the reader is past the data (at the manifest), that the archive marks where its data ends and that
     * the compressed bytes before it have the size and SHA-256 {@code expected} gives.
     *
     * @return null when they match, else what is wrong
     */
    String dataProblem(Manifest.DataDigest expected) {
        return dataProblem(units, expected);
    }

    /** What {@link #dataProblem(Manifest.DataDigest)} says for a walk. */
    static String dataProblem(CompressedUnits units, Manifest.DataDigest expected) {
        if (units.dataEnd() < 0) {
            return "does not mark where its data ends";
        }
        if (units.dataEnd() != expected.compressedBytes()) {
            return "has " + units.dataEnd() + " bytes of compressed data where its manifest says "
                    + expected.compressedBytes();
        }
        if (!ArchiveLayout.hex(units.dataSha256()).equals(expected.sha256())) {
            return "does not match the SHA-256 of its data in the manifest";
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        try {
            readAhead.close();
        } finally {
            file.close();
        }
    }

    /** Counts compressed bytes (for progress and for telling truncation from damage). */
    static final class CompressedCounter extends FilterInputStream {
        /** Written by the read-ahead thread, read by the consumer when it explains a failure. */
        volatile long count;
        private long mark;
        private final LongConsumer progress;

        CompressedCounter(InputStream in, LongConsumer progress) {
            super(in);
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                advance(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                advance(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = in.skip(n);
            if (s > 0) {
                advance(s);
            }
            return s;
        }

        private void advance(long n) throws InterruptedIOException {
            count += n;
            if (progress != null) {
                progress.accept(count);
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted while reading the archive");
            }
        }

        @Override
        public synchronized void mark(int readlimit) {
            in.mark(readlimit);
            mark = count;
        }

        @Override
        public synchronized void reset() throws IOException {
            in.reset();
            count = mark;
        }
    }

    /** Counts decompressed bytes and refuses more than a limit (a decompression bomb). */
    static final class DecompressedCounter extends FilterInputStream {
        long count;
        private final long limit;
        private final String limitWhat;

        DecompressedCounter(InputStream in, long limit, String limitWhat) {
            super(in);
            this.limit = limit;
            this.limitWhat = limitWhat;
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
                count += n;
                if (count > limit) {
                    throw new ArchiveVerificationException("The archive expands to more than " + limitWhat
                            + "; it is damaged or hostile (a decompression bomb).");
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = in.skip(n);
            if (s > 0) {
                count += s;
                if (count > limit) {
                    throw new ArchiveVerificationException("The archive expands to more than " + limitWhat
                            + "; it is damaged or hostile (a decompression bomb).");
                }
            }
            return s;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
