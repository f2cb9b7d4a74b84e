package dev.keepsake.core.internal.compress;

import dev.keepsake.core.ArchiveFormat;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The compression layer of an archive. gzip is written as independent members that record their length, compressed
 * in parallel ({@link ParallelGzipOutputStream}; every gzip reader reads concatenated members as one stream) and read
 * back in parallel ({@link MemberGzipInputStream}); other gzip files are read sequentially. zstd-jni is an optional
 * dependency and only loaded when zstd is used. Internal.
 */
public final class Compression {

    /** Most threads compressing one gzip archive (independent members, see {@link ParallelGzipOutputStream}). */
    static final int MAX_GZIP_THREADS = 8;
    /** Most threads decompressing one gzip archive ({@link MemberGzipInputStream}). */
    static final int MAX_GUNZIP_THREADS = 4;

    private Compression() {
    }

    /** Whether zstd-jni is on the class path and its native library loads on this platform. */
    public static boolean zstdAvailable() {
        try {
            Class.forName("com.github.luben.zstd.Zstd", true, Compression.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The valid levels for {@code format}, as {min, max}. */
    public static int[] levels(ArchiveFormat format) {
        return format == ArchiveFormat.GZIP ? new int[] {1, 9} : new int[] {1, 19};
    }

    /**
     * A compressing stream over {@code out}; closing it finishes the compressed stream and closes {@code out}. gzip
     * compresses on up to {@value #MAX_GZIP_THREADS} threads (one per processor).
     */
    public static OutputStream compress(ArchiveFormat format, OutputStream out, int level) throws IOException {
        if (format == ArchiveFormat.ZSTD) {
            return Zstd.compress(out, level);
        }
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), MAX_GZIP_THREADS));
        return new ParallelGzipOutputStream(out, level, threads);
    }

    /**
     * A decompressing stream over {@code in} that fails on data after the end of the compressed stream (concatenated
     * gzip members or zstd frames are read as one stream).
     */
    public static InputStream decompress(ArchiveFormat format, InputStream in) throws IOException {
        if (format == ArchiveFormat.ZSTD) {
            return Zstd.decompress(in);
        }
        if (in.markSupported()) {
            byte[] header = new byte[ParallelGzipOutputStream.HEADER.length];
            in.mark(header.length);
            int n = in.readNBytes(header, 0, header.length);
            in.reset();
            if (MemberGzipInputStream.startsMember(header, n)) {
                int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), MAX_GUNZIP_THREADS));
                return new MemberGzipInputStream(in, threads);
            }
        }
        return new GzipCompressorInputStream(in, true);
    }

    /** The format given by the first bytes of a file, or null when neither gzip nor zstd. */
    public static ArchiveFormat detect(byte[] magic, int length) {
        if (length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return ArchiveFormat.GZIP;
        }
        if (length >= 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f
                && (magic[3] & 0xff) == 0xfd) {
            return ArchiveFormat.ZSTD;
        }
        return null;
    }

    /** Kept in its own class so zstd-jni is loaded only when used. */
    private static final class Zstd {
        static OutputStream compress(OutputStream out, int level) throws IOException {
            com.github.luben.zstd.ZstdOutputStream z = new com.github.luben.zstd.ZstdOutputStream(out, level);
            z.setChecksum(true);
            return z;
        }

        static InputStream decompress(InputStream in) throws IOException {
            return new com.github.luben.zstd.ZstdInputStream(in);
        }
    }
}
