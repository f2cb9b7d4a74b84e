package dev.keepsake.core.internal.archive;

import dev.keepsake.core.internal.compress.StoredTail;
import java.util.Arrays;
import dev.keepsake.core.ArchiveFormat;
import dev.keepsake.core.ArchiveKey;
import dev.keepsake.core.ArchiveVerificationException;
import dev.keepsake.core.BackupDescription;
import dev.keepsake.core.Version;
import dev.keepsake.core.internal.compress.CompressedFormException;
import dev.keepsake.core.internal.compress.CompressedUnits;
import dev.keepsake.core.internal.compress.Compression;
import dev.keepsake.core.spi.ArchiveEntry;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * The first pass over an archive, before anything is changed — the one check a restore runs before its parts start,
 * and the first half of {@code verify}. It never inflates the data: it walks the compressed units to the end of the
 * file ({@link CompressedUnits}: gzip members by their recorded lengths, zstd frames by their frame and block headers),
 * hashing every compressed byte before the mark of the manifest, and inflates only the header (the first entry) and
 * what follows the mark (manifest, signature, tar end, padding). It refuses, naming the problem: a file that is not
 * gzip or zstd, a stream not in the form Keepsake writes, a truncated file, data after the end, an older or newer
 * format, a header that is not first or not valid, an archive larger than the limits, a manifest not followed only by
 * its signature and the tar end, an unsigned archive unless allowed, an unknown key, a bad signature, an invalid or
 * inconsistent manifest, a header and manifest that disagree, and compressed data whose size or SHA-256 is not the
 * one the manifest records. Under a valid signature that last check authenticates every byte of the data; the
 * entries themselves are checked one by one against the manifest by the second pass ({@link ArchiveReader}), which
 * {@link #verifyFully} runs too. When the data's SHA-256 differs, the second pass is run here to name what differs
 * (an extra entry, a bad name, damaged compressed data) where it can.
 *
 * <p>Thread-safe (stateless per call). Internal.
 */
public final class ArchiveVerifier {

    static final long MAX_PADDING = 1 << 20;
    private static final int READ_SIZE = 1 << 20;

    private final Map<String, ArchiveKey> keys;
    private final boolean allowUnsigned;
    private final long maxManifestBytes;
    private final long maxUncompressedBytes;

    /**
     * @param keys                 keys accepted for verification
     * @param allowUnsigned        whether an archive without signature is accepted
     * @param maxManifestBytes     largest manifest.json accepted
     * @param maxUncompressedBytes most bytes the archive may decompress to
     */
    public ArchiveVerifier(List<ArchiveKey> keys, boolean allowUnsigned, long maxManifestBytes,
                           long maxUncompressedBytes) {
        Map<String, ArchiveKey> byId = new LinkedHashMap<>();
        for (ArchiveKey k : keys) {
            byId.putIfAbsent(k.id(), k);
        }
        this.keys = Map.copyOf(byId);
        this.allowUnsigned = allowUnsigned;
        this.maxManifestBytes = maxManifestBytes;
        this.maxUncompressedBytes = maxUncompressedBytes;
    }

    /**
     * The first pass (see the class comment): what a restore checks before any part starts.
     *
     * @param progress receives the number of compressed bytes walked so far; may be null
     * @throws ArchiveVerificationException naming the first problem found
     * @throws InterruptedIOException       when the thread is interrupted
     */
    public VerifiedArchive verify(Path file, LongConsumer progress) throws IOException {
        try (FileChannel channel = open(file)) {
            return firstPass(file, channel, progress);
        } catch (ArchiveVerificationException | InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /**
     * The first pass, then the second with nothing receiving the entries: every entry's name, type, size, link
     * target and (chunks excepted) SHA-256 checked against the manifest, nothing between the entries, and the data's
     * SHA-256 again. What {@code verify} and a backup's full read-back check run.
     *
     * @throws ArchiveVerificationException naming the first problem found
     * @throws InterruptedIOException       when the thread is interrupted
     */
    public VerifiedArchive verifyFully(Path file, LongConsumer progress) throws IOException {
        VerifiedArchive verified = verify(file, progress);
        try (ArchiveReader reader = ArchiveReader.verifying(file, verified.manifest(), maxUncompressedBytes)) {
            reader.readAll();
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            ArchiveVerificationException ave = ArchiveReader.verificationFailure(e);
            throw ave != null ? ave : unreadable(e);
        }
        return verified;
    }

    private static ArchiveVerificationException unreadable(IOException e) {
        return new ArchiveVerificationException("The archive could not be read (" + e.getMessage()
                + "); check that the file is readable.", e);
    }

    private static FileChannel open(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ArchiveVerificationException("The archive file does not exist (" + file.getFileName()
                    + "); upload or copy it again.");
        }
    }

    private VerifiedArchive firstPass(Path file, FileChannel channel, LongConsumer progress) throws IOException {
        long size = channel.size();
        ArchiveFormat format = detect(channel);
        CompressedUnits units = CompressedUnits.of(format);
        CompressedFormException walkFailure = walk(channel, size, units, progress);

        byte[] headerJson;
        try {
            headerJson = readHeader(channel, format);
        } catch (IOException | RuntimeException e) {
            if (e instanceof InterruptedIOException ie) {
                throw ie;
            }
            if (walkFailure != null) {
                throw refusal(walkFailure);
            }
            throw e instanceof ArchiveVerificationException ave ? ave : readFailure(e, 0);
        }
        // an older or newer format first: its compressed form need not be this one's
        long version = ManifestJson.leadingFormatVersion(headerJson);
        String versionProblem = version < 0 ? null : ArchiveLayout.formatVersionProblem(version);
        if (versionProblem != null) {
            throw new ArchiveVerificationException(versionProblem);
        }
        if (walkFailure != null) {
            throw refusal(walkFailure);
        }
        Manifest header = ManifestJson.parseHeader(headerJson);
        Set<String> knownParts = new HashSet<>();
        for (Manifest.Part p : header.parts()) {
            if (!knownParts.add(p.name())) {
                throw new ArchiveVerificationException("The archive's header lists part '" + p.name()
                        + "' twice; the archive is damaged or was not made by Keepsake.");
            }
        }
        if (units.uncompressedBound() > maxUncompressedBytes) {
            throw bomb(maxUncompressedBytes);
        }

        Tail tail = readTail(channel, format, units.dataEnd());
        String keyId = null;
        if (tail.signature() == null) {
            if (!allowUnsigned) {
                throw new ArchiveVerificationException("The archive is not signed and unsigned archives are not "
                        + "allowed; configure the signing key that made it, or allow unsigned archives.");
            }
        } else {
            keyId = ManifestSignature.verify(tail.signature(), tail.manifest(), keys);
        }
        Manifest manifest = ManifestJson.parseManifest(tail.manifest());
        checkHeaderAgrees(header, manifest);
        checkManifestConsistent(manifest);
        String dataProblem = ArchiveInput.dataProblem(units, manifest.data());
        if (dataProblem != null) {
            diagnose(file, manifest);
            throw dataMismatch(dataProblem);
        }
        checkStoredTail(channel, format, units.dataEnd(), size, tail, manifest);
        return new VerifiedArchive(manifest, describe(manifest, keyId), format, units.uncompressedBound());
    }

    /**
     * The tail (from the mark on) must be, byte for byte, the stored form ({@link StoredTail}) of the tar bytes the
     * writer makes of this manifest and signature: with the data digest, no byte of the file escapes a check.
     */
    private static void checkStoredTail(FileChannel channel, ArchiveFormat format, long dataEnd, long size, Tail tail,
                                        Manifest manifest) throws IOException {
        byte[] expected = StoredTail.encode(format, TarSink.tail(tail.manifest(), tail.signature(),
                manifest.createdAt()));
        boolean same = size - dataEnd == expected.length;
        if (same) {
            ByteBuffer actual = ByteBuffer.allocate(expected.length);
            while (actual.hasRemaining()) {
                if (channel.read(actual, dataEnd + actual.position()) < 0) {
                    break;
                }
            }
            same = !actual.hasRemaining() && Arrays.equals(actual.array(), expected);
        }
        if (!same) {
            throw new ArchiveVerificationException("The archive's end (manifest, signature and tar end) is not stored "
                    + "the way Keepsake stores it; it was tampered with or damaged; use an intact copy.");
        }
    }

    /** The refusal of compressed data whose size or SHA-256 is not the manifest's ({@code problem}). */
    static ArchiveVerificationException dataMismatch(String problem) {
        return new ArchiveVerificationException("The archive " + problem + "; it was tampered with, damaged or "
                + "rewritten by another tool; use the file the backup wrote.");
    }

    static ArchiveVerificationException bomb(long limit) {
        return new ArchiveVerificationException("The archive expands to more than " + formatBytes(limit)
                + " (the configured limit); it is damaged or hostile (a decompression bomb).");
    }

    /**
     * The data differs from what the manifest records: reads it entry by entry against the manifest (the second
     * pass, nothing receiving the entries) to name the difference, and throws that; returns when it finds none.
     */
    private void diagnose(Path file, Manifest manifest) throws InterruptedIOException {
        try (ArchiveReader reader = ArchiveReader.verifying(file, manifest, maxUncompressedBytes)) {
            reader.readAll();
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            ArchiveVerificationException named = ArchiveReader.verificationFailure(e);
            if (named != null) {
                throw named;
            }
        }
    }

    private static ArchiveFormat detect(FileChannel channel) throws IOException {
        ByteBuffer magic = ByteBuffer.allocate(4);
        while (magic.hasRemaining() && channel.read(magic, magic.position()) > 0) {
            // reads the first bytes, if there are that many
        }
        ArchiveFormat format = Compression.detect(magic.array(), magic.position());
        if (format == null) {
            throw new ArchiveVerificationException("The file is not a Keepsake archive: it is neither gzip nor "
                    + "zstd compressed; upload the .tgz (or .tar.zst) file that a backup produced.");
        }
        if (format == ArchiveFormat.ZSTD && !Compression.zstdAvailable()) {
            throw new ArchiveVerificationException("The archive is zstd compressed, but zstd support is not "
                    + "installed; add com.github.luben:zstd-jni to the application's class path.");
        }
        return format;
    }

    /** Walks the whole file; returns what is wrong with its compressed form, or null. */
    private static CompressedFormException walk(FileChannel channel, long size, CompressedUnits units,
                                                LongConsumer progress) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(READ_SIZE);
        long position = 0;
        try {
            while (position < size) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("interrupted while verifying the archive");
                }
                buffer.clear();
                int n = channel.read(buffer, position);
                if (n < 0) {
                    break;
                }
                units.update(buffer.array(), 0, n);
                position += n;
                if (progress != null) {
                    progress.accept(position);
                }
            }
            units.finish();
            return null;
        } catch (CompressedFormException e) {
            if (progress != null) {
                progress.accept(size);
            }
            return e;
        }
    }

    /**
     * The content of the first entry, which must be the header; read with the format's ordinary reader, so that an
     * archive of an older or newer form still shows its format version.
     */
    private static byte[] readHeader(FileChannel channel, ArchiveFormat format) throws IOException {
        InputStream file = stream(channel, 0);
        try (InputStream in = format == ArchiveFormat.GZIP ? new GzipCompressorInputStream(file, true)
                : Compression.decompress(format, file, 1)) {
            TarReader tar = new TarReader(in);
            TarReader.Header e = tar.next();
            if (e == null) {
                throw new ArchiveVerificationException("The file is not a Keepsake archive: it contains no entries.");
            }
            if (!ArchiveLayout.HEADER.equals(e.name()) || !e.isRegular()) {
                throw new ArchiveVerificationException("The file is not a Keepsake archive: its first entry is '"
                        + ManifestJson.abbreviate(e.name()) + "', not " + ArchiveLayout.HEADER + ".");
            }
            return content(tar, e, ArchiveLayout.MAX_HEADER_BYTES, "header");
        }
    }

    /** What follows the data. */
    private record Tail(byte[] manifest, byte[] signature) {
    }

    /**
     * From the mark on: the manifest, the signature or nothing, the tar end-of-archive marker (two zero records), only
     * zero padding, the end of the compressed stream.
     */
    private Tail readTail(FileChannel channel, ArchiveFormat format, long dataEnd) throws IOException {
        try (InputStream in = Compression.decompress(format, stream(channel, dataEnd), 1)) {
            TarReader tar = new TarReader(in);
            TarReader.Header e = tar.next();
            if (e == null || !ArchiveLayout.MANIFEST.equals(e.name())) {
                throw new ArchiveVerificationException("The archive has " + (e == null ? "nothing"
                        : "the entry '" + ManifestJson.abbreviate(e.name()) + "'") + " where its manifest must follow"
                        + " its data; it was tampered with or not made by Keepsake.");
            }
            if (!e.isRegular()) {
                throw new ArchiveVerificationException("The archive's manifest is not a regular file entry; "
                        + "the archive is damaged or was not made by Keepsake.");
            }
            if (e.size() > maxManifestBytes) {
                throw new ArchiveVerificationException("The archive's manifest has " + e.size()
                        + " bytes, more than the limit of " + maxManifestBytes + " bytes; if the backup is "
                        + "genuine, raise the manifest size limit (maxManifestBytes).");
            }
            byte[] manifest = content(tar, e, (int) e.size(), "manifest");
            byte[] signature = null;
            e = tar.next();
            if (e != null) {
                if (!ArchiveLayout.SIGNATURE.equals(e.name()) || !e.isRegular()) {
                    throw new ArchiveVerificationException("The archive has an entry '"
                            + ManifestJson.abbreviate(e.name()) + "' after its manifest, where only the signature may"
                            + " follow; it was tampered with or damaged.");
                }
                signature = content(tar, e, ArchiveLayout.MAX_SIGNATURE_BYTES, "signature");
                e = tar.next();
                if (e != null) {
                    throw new ArchiveVerificationException("The archive has an entry '"
                            + ManifestJson.abbreviate(e.name()) + "' after its signature, where nothing may follow;"
                            + " it was tampered with or damaged.");
                }
            }
            if (!tar.sawEndMarker()) {
                throw new ArchiveVerificationException("The archive is incomplete: its tar end-of-archive marker is "
                        + "missing; use the complete file.");
            }
            checkPadding(in);
            return new Tail(manifest, signature);
        } catch (ArchiveVerificationException | InterruptedIOException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw readFailure(e, -1);
        }
    }

    /** After the tar end marker: only zeros (at most {@value #MAX_PADDING}), then the end of the stream. */
    private static void checkPadding(InputStream in) throws IOException {
        byte[] buffer = new byte[8192];
        long padding = 0;
        int n;
        while ((n = in.read(buffer, 0, buffer.length)) >= 0) {
            for (int i = 0; i < n; i++) {
                if (buffer[i] != 0) {
                    throw new ArchiveVerificationException("The archive has data after its last entry; it was "
                            + "tampered with or damaged; use an intact copy.");
                }
            }
            padding += n;
            if (padding > MAX_PADDING) {
                throw new ArchiveVerificationException("The archive has more than " + MAX_PADDING + " bytes of "
                        + "padding after its last entry; it was tampered with or damaged; use an intact copy.");
            }
        }
    }

    /** A small entry's content; {@code max} bytes at most. */
    private static byte[] content(TarReader tar, TarReader.Header e, int max, String what) throws IOException {
        if (e.size() > max) {
            throw new ArchiveVerificationException("The archive's " + what + " has " + e.size() + " bytes, more than "
                    + "the limit of " + max + " bytes; the archive is damaged or was not made by Keepsake.");
        }
        byte[] b = new byte[(int) e.size()];
        int off = 0;
        while (off < b.length) {
            int n = tar.read(b, off, b.length - off);
            if (n < 0) {
                throw new EOFException("the " + what + " ends early");
            }
            off += n;
        }
        return b;
    }

    /** The file from {@code position} on, buffered; closing it leaves the channel open (the caller closes it). */
    private static InputStream stream(FileChannel channel, long position) throws IOException {
        return new BufferedInputStream(new FilterInputStream(Channels.newInputStream(channel.position(position))) {
            @Override
            public void close() {
                // the channel is closed by verify()
            }
        }, ArchiveLayout.BUFFER_SIZE);
    }

    /** The refusal for a compressed stream not in the form Keepsake writes. */
    static ArchiveVerificationException refusal(CompressedFormException e) {
        String detail = e.getMessage();
        return switch (e.kind()) {
            case INCOMPLETE -> new ArchiveVerificationException("The archive is incomplete: it ends in the middle of"
                    + " its data (" + detail + "; it was probably cut off during an upload or copy); use the "
                    + "complete file.", e);
            case NO_MANIFEST_MARK -> new ArchiveVerificationException("The archive is incomplete: it ends without its "
                    + "manifest (" + detail + "; it was probably cut off during an upload or copy, or rewritten by "
                    + "another tool); use the complete file the backup wrote.", e);
            case TRAILING_DATA -> new ArchiveVerificationException("The archive has data after the end of its "
                    + "compressed stream (" + detail + "); it was tampered with or damaged; use an intact copy.", e);
            case FOREIGN -> new ArchiveVerificationException("The archive's compressed stream was not written by "
                    + "Keepsake (" + detail + "): it was rewritten by another tool, tampered with or damaged; use "
                    + "the file the backup wrote.", e);
            case DAMAGED -> new ArchiveVerificationException("The archive is damaged: " + detail + "; use an intact "
                    + "copy.", e);
        };
    }

    /**
     * The refusal for a failure while inflating or reading the tar stream: the archive's own verdict where one is in
     * the causes, the compressed form's refusal, else damage (after {@code entriesSoFar} entries when not negative).
     */
    static ArchiveVerificationException readFailure(Throwable e, long entriesSoFar) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ArchiveVerificationException ave) {
                return ave;
            }
            if (t instanceof CompressedFormException cfe) {
                return refusal(cfe);
            }
        }
        String m = e.getMessage();
        String shown = m == null ? e.getClass().getSimpleName() : "'" + (m.length() > 200 ? m.substring(0, 200) + "…"
                : m) + "'";
        return new ArchiveVerificationException("The archive is damaged: " + shown
                + (entriesSoFar >= 0 ? " after " + entriesSoFar + " entries" : "") + "; use an intact copy.", e);
    }

    static void checkHeaderAgrees(Manifest h, Manifest m) {
        boolean same = h.formatVersion() == m.formatVersion() && h.productName().equals(m.productName())
                && h.productVersion().equals(m.productVersion()) && h.backupId().equals(m.backupId())
                && h.createdAt().equals(m.createdAt()) && h.parts().size() == m.parts().size();
        for (int i = 0; same && i < h.parts().size(); i++) {
            Manifest.Part a = h.parts().get(i);
            Manifest.Part b = m.parts().get(i);
            same = a.name().equals(b.name()) && a.type().equals(b.type())
                    && Objects.equals(a.schemaVersion(), b.schemaVersion());
        }
        if (!same) {
            throw new ArchiveVerificationException("The archive's header and its manifest disagree (product, backup "
                    + "id, creation time or parts); it was tampered with or damaged.");
        }
    }

    static void checkManifestConsistent(Manifest m) {
        Map<String, Integer> partIndex = new HashMap<>();
        for (int i = 0; i < m.parts().size(); i++) {
            if (partIndex.put(m.parts().get(i).name(), i) != null) {
                throw inconsistent("it lists part '" + m.parts().get(i).name() + "' twice");
            }
        }
        long[] counts = new long[m.parts().size()];
        long[] bytes = new long[m.parts().size()];
        Map<String, Integer> nextChunk = new HashMap<>();
        Set<String> paths = new HashSet<>();
        int currentPart = -1;
        long total = 0;
        for (Manifest.Entry e : m.entries()) {
            Integer p = partIndex.get(e.part());
            if (p == null) {
                throw inconsistent("entry '" + ManifestJson.abbreviate(e.path()) + "' belongs to unknown part '"
                        + ManifestJson.abbreviate(e.part()) + "'");
            }
            if (p < currentPart) {
                throw inconsistent("the entries of part '" + e.part() + "' are not contiguous and in part order");
            }
            currentPart = p;
            String problem = ArchiveLayout.pathProblem(e.name());
            if (problem != null) {
                throw inconsistent("entry '" + ManifestJson.abbreviate(e.path()) + "' has a name that " + problem);
            }
            if (!paths.add(e.path())) {
                throw inconsistent("it lists the entry '" + ManifestJson.abbreviate(e.path()) + "' twice");
            }
            String expected;
            if (e.type() == ArchiveEntry.Type.CHUNK) {
                String stream = e.part() + "/" + e.name();
                int want = nextChunk.getOrDefault(stream, 0);
                if (e.chunkIndex() != want) {
                    throw inconsistent("chunk " + e.chunkIndex() + " of stream '" + ManifestJson.abbreviate(e.name())
                            + "' in part '" + e.part() + "' comes where chunk " + want + " is expected");
                }
                nextChunk.put(stream, want + 1);
                expected = ArchiveLayout.chunkTarName(e.part(), e.name(), e.chunkIndex());
            } else {
                expected = ArchiveLayout.tarName(e.part(), e.name(), false);
            }
            if (!expected.equals(e.path())) {
                throw inconsistent("entry path '" + ManifestJson.abbreviate(e.path()) + "' does not match its part "
                        + "and name");
            }
            counts[p]++;
            bytes[p] += e.size();
            total += e.size();
            if (bytes[p] < 0 || total < 0) {
                throw inconsistent("the entry sizes add up to more than " + Long.MAX_VALUE + " bytes");
            }
        }
        for (int i = 0; i < counts.length; i++) {
            Manifest.Part part = m.parts().get(i);
            if (part.entryCount() != counts[i] || part.totalBytes() != bytes[i]) {
                throw inconsistent("the counts of part '" + part.name() + "' do not match its entries");
            }
        }
        if (m.entryCount() != m.entries().size() || m.totalBytes() != total) {
            throw inconsistent("its totals do not match its entries");
        }
    }

    private static ArchiveVerificationException inconsistent(String problem) {
        return new ArchiveVerificationException("The archive's manifest is inconsistent: " + problem
                + "; it was tampered with or not made by Keepsake.");
    }

    static BackupDescription describe(Manifest m, String keyId) {
        Version version;
        try {
            version = Version.parse(m.productVersion());
        } catch (IllegalArgumentException ex) {
            throw new ArchiveVerificationException("The archive's manifest has an invalid product version '"
                    + ManifestJson.abbreviate(m.productVersion()) + "'; it was not made by Keepsake.");
        }
        List<BackupDescription.Part> parts = new ArrayList<>();
        for (Manifest.Part p : m.parts()) {
            parts.add(new BackupDescription.Part(p.name(), p.type(), Optional.ofNullable(p.schemaVersion()),
                    p.attributes(), p.entryCount(), p.totalBytes()));
        }
        return new BackupDescription(m.backupId(), m.productName(), version, m.createdAt(), m.formatVersion(),
                Optional.ofNullable(keyId), parts, m.entryCount(), m.totalBytes());
    }

    static String formatBytes(long n) {
        if (n >= (1L << 40) && n % (1L << 40) == 0) {
            return (n >> 40) + " TiB";
        }
        if (n >= (1L << 30) && n % (1L << 30) == 0) {
            return (n >> 30) + " GiB";
        }
        if (n >= (1L << 20) && n % (1L << 20) == 0) {
            return (n >> 20) + " MiB";
        }
        return n + " bytes";
    }

    /** The result of a successful first pass. */
    public record VerifiedArchive(Manifest manifest, BackupDescription description, ArchiveFormat format,
                                  long uncompressedBytes) {
    }
}
