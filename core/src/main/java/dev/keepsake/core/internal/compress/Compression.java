package dev.keepsake.core.internal.compress;

import dev.keepsake.core.ArchiveFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The compression layer of an archive. gzip is written as independent members that record their length, compressed
 * in parallel ({@link ParallelGzipOutputStream}; every gzip reader reads concatenated members as one stream) and read
 * back in parallel ({@link MemberGzipInputStream}); zstd as frames around a skippable marker
 * ({@link ZstdFramedOutputStream}; every zstd reader skips the marker). {@link CompressedUnits} walks either form
 * without inflating it. zstd-jni is an optional dependency and only loaded when zstd is used. Internal.
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
    public static CompressedOutput compress(ArchiveFormat format, OutputStream out, int level) throws IOException {
        if (format == ArchiveFormat.ZSTD) {
            return Zstd.compress(out, level);
        }
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), MAX_GZIP_THREADS));
        return new ParallelGzipOutputStream(out, level, threads);
    }

    /**
     * A decompressing stream over {@code in} that reads concatenated gzip members or zstd frames (skipping skippable
     * frames) as one stream; gzip is inflated on up to {@value #MAX_GUNZIP_THREADS} threads ({@code threads} of 0: one
     * per processor).
     */
    public static InputStream decompress(ArchiveFormat format, InputStream in, int threads) throws IOException {
        if (format == ArchiveFormat.ZSTD) {
            return Zstd.decompress(in);
        }
        int n = threads > 0 ? threads
                : Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), MAX_GUNZIP_THREADS));
        return new MemberGzipInputStream(in, n);
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
        static CompressedOutput compress(OutputStream out, int level) throws IOException {
            return new ZstdFramedOutputStream(out, level);
        }

        static InputStream decompress(InputStream in) throws IOException {
            return new com.github.luben.zstd.ZstdInputStream(in);
        }
    }
}
