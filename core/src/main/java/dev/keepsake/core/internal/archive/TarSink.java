package dev.keepsake.core.internal.archive;

import dev.keepsake.core.internal.compress.CompressedOutput;
import dev.keepsake.core.internal.compress.Compression;
import dev.keepsake.core.ArchiveFormat;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;

/**
 * The bottom of archive writing: a tar stream (POSIX long names and big numbers, UTF-8 names) over a compressor over
 * a counting, hashing view of the caller's sink. The caller's sink is never closed. Not thread-safe. Internal.
 */
public final class TarSink {

    private final CountingDigestOutputStream counted;
    private final CompressedOutput compressed;
    private final TarArchiveOutputStream tar;
    private boolean finished;
    private Manifest.DataDigest data;

    public TarSink(OutputStream sink, ArchiveFormat format, int level) throws IOException {
        this.counted = new CountingDigestOutputStream(sink);
        this.compressed = Compression.compress(format, counted, level);
        this.tar = newTar(compressed);
    }

    /**
     * The tar stream every archive is written with: POSIX long names and big numbers, UTF-8 names, 512-byte blocks
     * (the end is two zero records and nothing more, so the tail's bytes depend on nothing written before it).
     */
    private static TarArchiveOutputStream newTar(OutputStream out) {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out, 512, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        return tar;
    }

    /**
     * The uncompressed tail of an archive whose manifest is {@code manifest} and signature {@code signature} (null:
     * unsigned), made at {@code createdAt}: exactly the tar bytes {@link ArchiveWriter#finish} writes after the data.
     */
    static byte[] tail(byte[] manifest, byte[] signature, Instant createdAt) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(manifest.length + 4096);
        TarArchiveOutputStream tar = newTar(out);
        writeEntry(tar, ArchiveWriter.metaEntry(ArchiveLayout.MANIFEST, createdAt), manifest);
        if (signature != null) {
            writeEntry(tar, ArchiveWriter.metaEntry(ArchiveLayout.SIGNATURE, createdAt), signature);
        }
        tar.finish();
        tar.close();
        return out.toByteArray();
    }

    public TarArchiveOutputStream tar() {
        return tar;
    }

    /** Writes a whole small entry. */
    void writeEntry(TarArchiveEntry entry, byte[] content) throws IOException {
        writeEntry(tar, entry, content);
    }

    private static void writeEntry(TarArchiveOutputStream tar, TarArchiveEntry entry, byte[] content)
            throws IOException {
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content, 0, content.length);
        tar.closeArchiveEntry();
    }

    /**
     * Ends the data (call between entries, before the manifest's): the compressed stream is cut at a unit boundary
     * and the manifest's start is marked ({@link CompressedOutput#endData()}); returns the size and SHA-256 of the
     * compressed bytes before the mark. Called again, returns the same.
     */
    public Manifest.DataDigest endData() throws IOException {
        if (data == null) {
            tar.flush(); // between entries the tar stream holds nothing back (512-byte records); this makes sure
            compressed.endData(); // hands over every byte of the data; the mark comes with the next write
            try {
                MessageDigest sofar = (MessageDigest) counted.digest.clone();
                data = new Manifest.DataDigest(counted.count, ArchiveLayout.hex(sofar.digest()));
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("SHA-256 digests of this JVM cannot be cloned", e);
            }
        }
        return data;
    }

    /**
     * Writes the tar end records, finishes compression and flushes the sink (without closing it).
     *
     * @return size and SHA-256 of the compressed bytes written to the sink
     */
    public Written finish() throws IOException {
        finished = true;
        tar.finish();
        tar.close();
        return new Written(counted.count, ArchiveLayout.hex(counted.digest.digest()));
    }

    /** Size and SHA-256 (hex) of the whole archive file. */
    record Written(long size, String sha256) {
    }

    boolean finished() {
        return finished;
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    /** Counts and hashes what passes; flushes but never closes the sink. */
    private static final class CountingDigestOutputStream extends FilterOutputStream {
        final MessageDigest digest = sha256();
        long count;

        CountingDigestOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            digest.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
