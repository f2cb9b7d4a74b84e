package dev.keepsake.core.internal.archive;

import dev.keepsake.core.internal.compress.MemberGzipInputStream;
import dev.keepsake.core.ArchiveFormat;
import dev.keepsake.core.ArchiveKey;
import dev.keepsake.core.ArchiveVerificationException;
import dev.keepsake.core.BackupDescription;
import dev.keepsake.core.Version;
import dev.keepsake.core.spi.ArchiveEntry;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Pass 1 of a restore, and {@code verify}: reads the whole archive once and checks, before anything is changed, that
 * it is complete and authentic — header first, clean entry names under known parts, only regular/directory/symlink tar
 * entries, no duplicates, the manifest within its size limit and well-formed, the HMAC signature (or unsigned only
 * when allowed), the exact set and order of entries with their types, sizes and SHA-256 (in format 2 not the chunks':
 * the SHA-256 of all compressed bytes before the manifest instead), the header agreeing with the manifest, and
 * nothing after the end (only zero padding, then the end of the compressed stream). Completeness is
 * decided by the manifest, never by the tar end marker. Thread-safe (stateless per call). Internal.
 */
public final class ArchiveVerifier {

    static final long MAX_PADDING = 1 << 20;

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

    /** An entry as found in the tar stream. */
    private record Observed(String path, byte tarType, long size, String sha256, String linkName) {
    }

    /**
     * Verifies {@code file} completely.
     *
     * @param progress receives the number of compressed bytes read so far; may be null
     * @throws ArchiveVerificationException naming the first problem found
     * @throws InterruptedIOException       when the thread is interrupted
     */
    public VerifiedArchive verify(Path file, LongConsumer progress) throws IOException {
        return verify(file, progress, true);
    }

    /**
     * Verifies {@code file} as pass 1 of a restore: everything {@link #verify} checks, except the SHA-256 of the
     * chunks (the data streams, usually nearly all the bytes): their names, order and sizes are checked here, their
     * content by pass 2 ({@link ArchiveReader}), which fails a chunk that differs before its last byte reaches the
     * part — while the part only stages (see {@code PreparedRestore}). The manifest, its signature and every other
     * entry (schemas, files, links) are checked here, before any part starts. A signed archive of format 2 is first
     * offered to {@link SignedArchiveSkim}, which vouches for it without inflating its data; anything it cannot vouch
     * for gets this full verification, which names the problem.
     *
     * @throws ArchiveVerificationException naming the first problem found
     * @throws InterruptedIOException       when the thread is interrupted
     */
    public VerifiedArchive verifyDeferringChunks(Path file, LongConsumer progress) throws IOException {
        Optional<VerifiedArchive> skimmed = new SignedArchiveSkim(keys, maxManifestBytes, maxUncompressedBytes)
                .skim(file);
        if (skimmed.isPresent()) {
            if (progress != null) {
                progress.accept(java.nio.file.Files.size(file));
            }
            return skimmed.get();
        }
        return verify(file, progress, false);
    }

    private VerifiedArchive verify(Path file, LongConsumer progress, boolean hashChunks) throws IOException {
        try (ArchiveInput in = ArchiveInput.open(file, maxUncompressedBytes,
                formatBytes(maxUncompressedBytes) + " (the configured limit)", progress)) {
            return read(in, hashChunks);
        } catch (InterruptedRuntime e) {
            throw (InterruptedIOException) e.getCause();
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            throw new ArchiveVerificationException("The archive could not be read (" + e.getMessage()
                    + "); check that the file is readable.", e);
        }
    }

    private VerifiedArchive read(ArchiveInput in, boolean hashChunks) throws IOException {
        TarReader tar = in.tar;
        byte[] buffer = new byte[ArchiveLayout.BUFFER_SIZE];
        MessageDigest digest = TarSink.sha256();

        TarReader.Header e = next(in, 0);
        if (e == null) {
            throw new ArchiveVerificationException("The file is not a Keepsake archive: it contains no entries.");
        }
        if (!ArchiveLayout.HEADER.equals(e.name()) || !e.isRegular()) {
            throw new ArchiveVerificationException("The file is not a Keepsake archive: its first entry is '"
                    + ManifestJson.abbreviate(e.name()) + "', not " + ArchiveLayout.HEADER + ".");
        }
        byte[] headerBytes = readSmall(in, e, ArchiveLayout.MAX_HEADER_BYTES, "header");
        Manifest header = ManifestJson.parseHeader(headerBytes);
        Set<String> knownParts = new HashSet<>();
        for (Manifest.Part p : header.parts()) {
            if (!knownParts.add(p.name())) {
                throw new ArchiveVerificationException("The archive's header lists part '" + p.name()
                        + "' twice; the archive is damaged or was not made by Keepsake.");
            }
        }

        // format 2: the chunks are covered by the SHA-256 of the compressed data, checked below, not one by one
        boolean dataDigest = header.formatVersion() == ArchiveLayout.FORMAT_VERSION;
        long maxEntries = maxManifestBytes / 128 + 16;
        List<Observed> observed = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        byte[] manifestBytes = null;
        while ((e = next(in, observed.size())) != null) {
            String name = e.name();
            if (ArchiveLayout.MANIFEST.equals(name)) {
                if (!e.isRegular()) {
                    throw new ArchiveVerificationException("The archive's manifest is not a regular file entry; "
                            + "the archive is damaged or was not made by Keepsake.");
                }
                if (e.size() > maxManifestBytes) {
                    throw new ArchiveVerificationException("The archive's manifest has " + e.size()
                            + " bytes, more than the limit of " + maxManifestBytes + " bytes; if the backup is "
                            + "genuine, raise the manifest size limit (maxManifestBytes).");
                }
                manifestBytes = readSmall(in, e, (int) e.size(), "manifest");
                break;
            }
            if (observed.size() >= maxEntries) {
                throw new ArchiveVerificationException("The archive has more than " + maxEntries + " entries, more"
                        + " than a manifest within the size limit can list; if the backup is genuine, raise the "
                        + "manifest size limit (maxManifestBytes).");
            }
            String path = checkEntryName(e, knownParts);
            if (!seen.add(path)) {
                throw new ArchiveVerificationException("The archive contains the entry '" + ManifestJson.abbreviate(path)
                        + "' twice; it was tampered with or damaged.");
            }
            boolean hash = (hashChunks && !dataDigest) || !ArchiveLayout.isChunkTarName(name);
            digest.reset();
            long size = 0;
            try {
                if (hash) {
                    int n;
                    while ((n = tar.read(buffer, 0, buffer.length)) > 0) {
                        digest.update(buffer, 0, n);
                        size += n;
                    }
                } else {
                    long n;
                    while ((n = tar.skip(Long.MAX_VALUE)) > 0) {
                        size += n;
                    }
                }
            } catch (IOException | RuntimeException ex) {
                throw damaged(in, ex, observed.size());
            }
            observed.add(new Observed(path, e.type(), size, hash ? ArchiveLayout.hex(digest.digest()) : null,
                    e.type() == TarReader.SYMLINK ? e.linkName() : null));
        }
        if (manifestBytes == null) {
            throw new ArchiveVerificationException("The archive is incomplete: it ends after " + observed.size()
                    + " entries without its manifest (it was probably cut off during an upload or copy); use the "
                    + "complete file.");
        }
        byte[] signature = null;
        e = next(in, observed.size());
        if (e != null) {
            if (!ArchiveLayout.SIGNATURE.equals(e.name()) || !e.isRegular()) {
                throw new ArchiveVerificationException("The archive has an entry '"
                        + ManifestJson.abbreviate(e.name()) + "' after its manifest, where only the signature may"
                        + " follow; it was tampered with or damaged.");
            }
            signature = readSmall(in, e, ArchiveLayout.MAX_SIGNATURE_BYTES, "signature");
            e = next(in, observed.size());
            if (e != null) {
                throw new ArchiveVerificationException("The archive has an entry '"
                        + ManifestJson.abbreviate(e.name()) + "' after its signature, where nothing may follow;"
                        + " it was tampered with or damaged.");
            }
        }
        checkEnd(in, buffer);

        String keyId = null;
        if (signature == null) {
            if (!allowUnsigned) {
                throw new ArchiveVerificationException("The archive is not signed and unsigned archives are not "
                        + "allowed; configure the signing key that made it, or allow unsigned archives.");
            }
        } else {
            keyId = ManifestSignature.verify(signature, manifestBytes, keys);
        }
        Manifest manifest = ManifestJson.parseManifest(manifestBytes);
        checkHeaderAgrees(header, manifest);
        checkManifestConsistent(manifest);
        checkEntries(observed, manifest.entries());
        if (manifest.data() != null) {
            String problem = in.dataProblem(manifest.data());
            if (problem != null) {
                throw new ArchiveVerificationException("The archive " + problem + "; it was tampered with, damaged "
                        + "or rewritten by another tool; use the file the backup wrote.");
            }
        }
        return new VerifiedArchive(manifest, describe(manifest, keyId), in.format, in.decompressed.count,
                hashChunks || manifest.data() != null);
    }

    private TarReader.Header next(ArchiveInput in, int entriesSoFar) {
        try {
            return in.tar.next();
        } catch (IOException | RuntimeException ex) {
            throw damaged(in, ex, entriesSoFar);
        }
    }

    private static RuntimeException damaged(ArchiveInput in, Exception ex, int entriesSoFar) {
        if (ex instanceof ArchiveVerificationException ave) {
            return ave;
        }
        if (ex instanceof InterruptedIOException) {
            return new InterruptedRuntime((InterruptedIOException) ex);
        }
        if (isTrailingData(ex)) {
            return new ArchiveVerificationException("The archive has data after the end of its compressed stream ("
                    + describe(ex) + "); it was tampered with or damaged; use an intact copy.", ex);
        }
        // read-ahead runs ahead of the failure, so having read the whole file only suggests a cut-off archive when the
        // decompressor did not name damage
        if (in.compressed.count >= in.fileSize && !(ex instanceof TarReader.TarFormatException)
                && !(ex instanceof MemberGzipInputStream.DamagedGzipException)) {
            return new ArchiveVerificationException("The archive is incomplete: it ends in the middle of its data"
                    + (entriesSoFar >= 0 ? " after " + entriesSoFar + " entries" : "") + " (it was probably cut off "
                    + "during an upload or copy); use the complete file.", ex);
        }
        return new ArchiveVerificationException("The archive is damaged: " + describe(ex)
                + (entriesSoFar >= 0 ? " after " + entriesSoFar + " entries" : "") + "; use an intact copy.",
                ex);
    }

    /** Whether the decompressor complained about bytes after the end of a complete compressed stream. */
    private static boolean isTrailingData(Exception ex) {
        String m = ex.getMessage() == null ? "" : ex.getMessage().toLowerCase(Locale.ROOT);
        return m.contains("garbage after") || m.contains("data after a valid") || m.contains("unknown frame descriptor");
    }

    private static String describe(Exception ex) {
        String m = ex.getMessage();
        if (m == null) {
            return ex.getClass().getSimpleName();
        }
        return "'" + (m.length() > 200 ? m.substring(0, 200) + "…" : m) + "'";
    }

    private byte[] readSmall(ArchiveInput in, TarReader.Header e, int max, String what) {
        long size = e.size();
        if (size > max) {
            throw new ArchiveVerificationException("The archive's " + what + " has " + size + " bytes, more than the "
                    + "limit of " + max + " bytes; the archive is damaged or was not made by Keepsake.");
        }
        try {
            byte[] b = new byte[(int) size];
            int off = 0;
            while (off < b.length) {
                int n = in.tar.read(b, off, b.length - off);
                if (n < 0) {
                    throw new EOFException("the " + what + " ends early");
                }
                off += n;
            }
            return b;
        } catch (IOException | RuntimeException ex) {
            throw damaged(in, ex, -1);
        }
    }

    /**
     * After the last entry: the tar end-of-archive marker (two zero records), then only zero padding, then the end of
     * the compressed stream.
     */
    private void checkEnd(ArchiveInput in, byte[] buffer) {
        if (!in.tar.sawEndMarker()) {
            throw new ArchiveVerificationException("The archive is incomplete: its tar end-of-archive marker is "
                    + "missing; use the complete file.");
        }
        ArchiveInput.DecompressedCounter d = in.decompressed;
        long padding = 0;
        try {
            int n;
            while ((n = d.read(buffer, 0, buffer.length)) >= 0) {
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
        } catch (IOException | RuntimeException ex) {
            throw damaged(in, ex, -1);
        }
    }

    /** Validates a part entry's name and tar type; returns its path (directories without trailing slash). */
    private static String checkEntryName(TarReader.Header e, Set<String> knownParts) {
        String name = e.name();
        byte type = e.type();
        String shown = ManifestJson.abbreviate(name);
        if (!e.isRegular() && type != TarReader.DIRECTORY && type != TarReader.SYMLINK) {
            throw new ArchiveVerificationException("The archive has an entry '" + shown + "' of tar type '"
                    + TarReader.describeType(type) + "'; Keepsake archives hold only regular files, directories and "
                    + "symbolic links; it was tampered with or not made by Keepsake.");
        }
        String path = name;
        if (type == TarReader.DIRECTORY) {
            if (!path.endsWith("/")) {
                throw badName(shown, "is a directory without a trailing '/'");
            }
            path = path.substring(0, path.length() - 1);
        }
        if (path.startsWith("keepsake/")) {
            throw new ArchiveVerificationException("The archive has an unexpected entry '" + shown
                    + "' (before its manifest only part entries may appear); it was tampered with or damaged.");
        }
        if (!path.startsWith(ArchiveLayout.PARTS_PREFIX)) {
            throw badName(shown, "is not below " + ArchiveLayout.PARTS_PREFIX);
        }
        String rest = path.substring(ArchiveLayout.PARTS_PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            throw badName(shown, "names no entry inside a part");
        }
        String part = rest.substring(0, slash);
        if (!knownParts.contains(part)) {
            throw badName(shown, "belongs to part '" + ManifestJson.abbreviate(part)
                    + "', which the archive's header does not list");
        }
        String problem = ArchiveLayout.pathProblem(rest.substring(slash + 1));
        if (problem != null) {
            throw badName(shown, problem);
        }
        if ((type == TarReader.DIRECTORY || type == TarReader.SYMLINK) && e.size() != 0) {
            throw badName(shown, "is a directory or symbolic link with content");
        }
        if (type == TarReader.SYMLINK && (e.linkName().isEmpty() || e.linkName().indexOf('\0') >= 0)) {
            throw badName(shown, "is a symbolic link without a valid target");
        }
        return path;
    }

    private static ArchiveVerificationException badName(String shown, String problem) {
        return new ArchiveVerificationException("The archive has an entry '" + shown + "' that " + problem
                + "; it was tampered with or not made by Keepsake.");
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
                throw inconsistent("entry name '" + ManifestJson.abbreviate(e.name()) + "' " + problem);
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

    private static void checkEntries(List<Observed> observed, List<Manifest.Entry> listed) {
        int n = Math.min(observed.size(), listed.size());
        for (int i = 0; i < n; i++) {
            Observed o = observed.get(i);
            Manifest.Entry m = listed.get(i);
            if (!o.path().equals(m.path())) {
                Set<String> listedPaths = new HashSet<>();
                listed.forEach(x -> listedPaths.add(x.path()));
                Set<String> observedPaths = new HashSet<>();
                observed.forEach(x -> observedPaths.add(x.path()));
                if (!listedPaths.contains(o.path())) {
                    throw entryProblem(o.path(), "is not listed in the manifest (an extra entry)");
                }
                if (!observedPaths.contains(m.path())) {
                    throw entryProblem(m.path(), "is listed in the manifest but missing from the archive");
                }
                throw entryProblem(o.path(), "is not in the order the manifest lists");
            }
            boolean typeMatches = switch (m.type()) {
                case DIRECTORY -> o.tarType() == TarReader.DIRECTORY;
                case SYMLINK -> o.tarType() == TarReader.SYMLINK;
                default -> o.tarType() == TarReader.REGULAR || o.tarType() == TarReader.REGULAR_OLD;
            };
            if (!typeMatches) {
                throw entryProblem(o.path(), "has a different type than the manifest says (" + m.type() + ")");
            }
            if (o.size() != m.size()) {
                throw entryProblem(o.path(), "has " + o.size() + " bytes but the manifest says " + m.size());
            }
            if (o.sha256() != null && !o.sha256().equals(m.sha256())) { // format 2: chunks have none, are not hashed
                throw hashMismatch(o.path());
            }
            if (!Objects.equals(o.linkName(), m.linkTarget())) {
                throw entryProblem(o.path(), "links to a different target than the manifest says");
            }
        }
        if (observed.size() > n) {
            throw entryProblem(observed.get(n).path(), "is not listed in the manifest (an extra entry)");
        }
        if (listed.size() > n) {
            throw entryProblem(listed.get(n).path(), "is listed in the manifest but missing from the archive");
        }
    }

    /** The failure for an entry whose content does not match the manifest. */
    static ArchiveVerificationException hashMismatch(String path) {
        return entryProblem(path, "does not match its SHA-256 in the manifest");
    }

    private static ArchiveVerificationException entryProblem(String path, String problem) {
        return new ArchiveVerificationException("The archive's entry '" + ManifestJson.abbreviate(path) + "' "
                + problem + "; it was tampered with or damaged; use an intact copy.");
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

    /** An interruption carried through code that cannot throw checked exceptions; unwrapped by {@link #verify}. */
    static final class InterruptedRuntime extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InterruptedRuntime(InterruptedIOException cause) {
            super(cause);
        }
    }

    /** The result of a successful verification. */
    public record VerifiedArchive(Manifest manifest, BackupDescription description, ArchiveFormat format,
                                  long uncompressedBytes, boolean chunksHashed) {
    }
}
