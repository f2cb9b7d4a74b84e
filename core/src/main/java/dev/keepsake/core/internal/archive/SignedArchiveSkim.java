package dev.keepsake.core.internal.archive;

import dev.keepsake.core.internal.compress.MemberGzipInputStream;
import dev.keepsake.core.internal.compress.ParallelGzipOutputStream;
import dev.keepsake.core.ArchiveFormat;
import dev.keepsake.core.ArchiveKey;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;

/**
 * The fast pass 1 of a restore, for a signed archive of format 2: instead of inflating the whole archive it walks the
 * gzip members by their recorded lengths up to the one marked as the manifest's, hashing their compressed bytes
 * (about a tenth of the uncompressed size), inflates only the first member (the header) and the members from the mark
 * on (manifest, signature, end), and accepts the archive only when the signature is valid under a configured key, the
 * manifest and header are consistent and agree, and the size and SHA-256 of the compressed data are the ones the
 * signed manifest records. The data is then exactly what the backup wrote, entry for entry, so its structure needs no
 * second look here; pass 2 still checks every entry against the manifest (and hashes all but the chunks) and checks
 * the data's SHA-256 again before any part commits.
 *
 * <p>It only ever accepts: anything unexpected (unsigned, another form of gzip, no mark, a damaged or changed byte)
 * returns empty, and the caller runs the full verification, which names the problem. Stateless; thread-safe.
 */
final class SignedArchiveSkim {

    private static final int HEADER_LENGTH = ParallelGzipOutputStream.HEADER.length;

    private final Map<String, ArchiveKey> keys;
    private final long maxManifestBytes;
    private final long maxUncompressedBytes;

    SignedArchiveSkim(Map<String, ArchiveKey> keys, long maxManifestBytes, long maxUncompressedBytes) {
        this.keys = keys;
        this.maxManifestBytes = maxManifestBytes;
        this.maxUncompressedBytes = maxUncompressedBytes;
    }

    /**
     * The verified archive, or empty when this fast path cannot vouch for it (the full verification decides then).
     *
     * @throws InterruptedIOException when the thread is interrupted
     */
    Optional<ArchiveVerifier.VerifiedArchive> skim(Path file) throws InterruptedIOException {
        if (keys.isEmpty()) {
            return Optional.empty();
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return Optional.ofNullable(skim(channel));
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                InterruptedIOException ie = new InterruptedIOException("interrupted while verifying the archive");
                ie.initCause(e);
                throw ie;
            }
            return Optional.empty();
        }
    }

    private ArchiveVerifier.VerifiedArchive skim(FileChannel channel) throws IOException {
        long size = channel.size();
        MessageDigest digest = TarSink.sha256();
        ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH);
        byte[] member = new byte[0];
        long position = 0;
        long uncompressed = 0;
        long dataEnd = -1;
        while (position < size) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted while verifying the archive");
            }
            header.clear();
            readFully(channel, header, position);
            byte[] h = header.array();
            if ((h[0] & 0xff) != 0x1f || (h[1] & 0xff) != 0x8b || !MemberGzipInputStream.startsMember(h, HEADER_LENGTH)) {
                return null;
            }
            if (h[ParallelGzipOutputStream.SUBFIELD_AT + 1] == ParallelGzipOutputStream.MANIFEST_MARK[1]) {
                dataEnd = position;
                break;
            }
            long length = MemberGzipInputStream.readIntLe(h, ParallelGzipOutputStream.LENGTH_AT) & 0xffffffffL;
            if (length < HEADER_LENGTH + 8 || length > MemberGzipInputStream.MAX_MEMBER_OUTPUT * 2L
                    || position + length > size) {
                return null;
            }
            if (member.length < length) {
                member = new byte[(int) length];
            }
            ByteBuffer body = ByteBuffer.wrap(member, 0, (int) length);
            readFully(channel, body, position);
            digest.update(member, 0, (int) length);
            uncompressed += MemberGzipInputStream.readIntLe(member, (int) length - 4) & 0xffffffffL;
            position += length;
        }
        if (dataEnd <= 0) {
            return null;
        }
        Manifest.DataDigest data = new Manifest.DataDigest(dataEnd, ArchiveLayout.hex(digest.digest()));

        byte[] headerJson;
        try (MemberGzipInputStream in = new MemberGzipInputStream(stream(channel, 0), 1)) {
            TarReader tar = new TarReader(in);
            TarReader.Header e = tar.next();
            if (e == null || !ArchiveLayout.HEADER.equals(e.name()) || !e.isRegular()
                    || e.size() > ArchiveLayout.MAX_HEADER_BYTES) {
                return null;
            }
            headerJson = content(tar, e);
        }

        byte[] manifestJson;
        byte[] signature;
        try (MemberGzipInputStream in = new MemberGzipInputStream(stream(channel, dataEnd), 1)) {
            // counts the decompressed tail (and stops on interruption)
            ArchiveInput.CompressedCounter counted = new ArchiveInput.CompressedCounter(in, null);
            TarReader tar = new TarReader(counted);
            TarReader.Header e = tar.next();
            if (e == null || !ArchiveLayout.MANIFEST.equals(e.name()) || !e.isRegular()
                    || e.size() > maxManifestBytes) {
                return null;
            }
            manifestJson = content(tar, e);
            e = tar.next();
            if (e == null || !ArchiveLayout.SIGNATURE.equals(e.name()) || !e.isRegular()
                    || e.size() > ArchiveLayout.MAX_SIGNATURE_BYTES) {
                return null;
            }
            signature = content(tar, e);
            if (tar.next() != null || !tar.sawEndMarker()) {
                return null;
            }
            byte[] buffer = new byte[8192];
            long padding = 0;
            int n;
            while ((n = counted.read(buffer, 0, buffer.length)) >= 0) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != 0) {
                        return null;
                    }
                }
                padding += n;
                if (padding > ArchiveVerifier.MAX_PADDING) {
                    return null;
                }
            }
            uncompressed += counted.count;
        }
        if (uncompressed > maxUncompressedBytes) {
            return null;
        }

        String keyId = ManifestSignature.verify(signature, manifestJson, keys);
        Manifest headerDoc = ManifestJson.parseHeader(headerJson);
        Manifest manifest = ManifestJson.parseManifest(manifestJson);
        if (headerDoc.formatVersion() != ArchiveLayout.FORMAT_VERSION || !data.equals(manifest.data())) {
            return null;
        }
        ArchiveVerifier.checkHeaderAgrees(headerDoc, manifest);
        ArchiveVerifier.checkManifestConsistent(manifest);
        return new ArchiveVerifier.VerifiedArchive(manifest, ArchiveVerifier.describe(manifest, keyId),
                ArchiveFormat.GZIP, uncompressed, true);
    }

    /** The file from {@code position} on, buffered; closing it leaves the channel open (the caller closes it). */
    private static InputStream stream(FileChannel channel, long position) throws IOException {
        channel.position(position);
        return new BufferedInputStream(new java.io.FilterInputStream(Channels.newInputStream(channel)) {
            @Override
            public void close() {
                // the channel is closed by skim()
            }
        }, ArchiveLayout.BUFFER_SIZE);
    }

    private static byte[] content(TarReader tar, TarReader.Header e) throws IOException {
        byte[] b = new byte[(int) e.size()];
        int off = 0;
        while (off < b.length) {
            int n = tar.read(b, off, b.length - off);
            if (n < 0) {
                throw new EOFException("entry " + e.name() + " ends early");
            }
            off += n;
        }
        return b;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new EOFException("the archive ends at " + at);
            }
            at += n;
        }
    }
}
