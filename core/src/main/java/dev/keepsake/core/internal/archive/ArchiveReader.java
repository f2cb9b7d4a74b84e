package dev.keepsake.core.internal.archive;

import dev.keepsake.core.spi.support.Closeables;
import dev.keepsake.core.ArchiveVerificationException;
import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The second pass over an archive: reads it entry by entry, part by part, and checks every tar entry against the
 * manifest before its content reaches anyone — the name (a clean path below a listed part; no duplicate, extra,
 * missing or reordered entry), the tar type (regular, directory or symbolic link only), the size and link target —
 * and hashes every entry but the chunks while it is read, failing at the end of one whose bytes differ before the
 * last of them is handed on. Below the decompressor it walks the compressed units again ({@link ArchiveInput}), and
 * {@link #finish()} checks, once every part has read its entries, that the manifest follows the last entry and that
 * the compressed data has the size and SHA-256 the manifest records: the chunks, which have no hash of their own, are
 * covered there, before any part commits.
 *
 * <p>A restore runs it while its parts stage ({@link #open}); {@code verify} runs it with nothing receiving the
 * entries ({@link #verifying}, {@link #readAll}). Failures are {@link ArchiveVerificationException}s (wrapped in an
 * {@link IOException} where the {@link PartReader} contract asks for one) naming the problem as the first pass would;
 * in a restore of a signed archive, whose every byte pass 1 authenticated, a difference can only mean that the file
 * changed since, and is reported so. Not thread-safe. Internal.
 */
public final class ArchiveReader implements AutoCloseable {

    private final ArchiveInput in;
    private final Manifest manifest;
    private final List<Manifest.Entry> entries;
    /** Pass 1 authenticated every byte of the data (a signed archive): a difference means the file changed since. */
    private final boolean vouched;
    private final Set<String> knownParts = new HashSet<>();
    private final byte[] skipBuffer = new byte[ArchiveLayout.BUFFER_SIZE];
    private Map<String, Integer> index;
    private int position;

    private ArchiveReader(ArchiveInput in, Manifest manifest, boolean vouched) {
        this.in = in;
        this.manifest = manifest;
        this.entries = manifest.entries();
        this.vouched = vouched;
        manifest.parts().forEach(p -> knownParts.add(p.name()));
    }

    /**
     * Opens {@code file}, which pass 1 verified as {@code verified}, for a restore, and positions it after the
     * header. It may decompress to no more than pass 1 found it can.
     */
    public static ArchiveReader open(Path file, ArchiveVerifier.VerifiedArchive verified) throws IOException {
        return open(file, verified.manifest(), verified.uncompressedBytes(),
                verified.uncompressedBytes() + " bytes (what it could expand to when it was verified)",
                verified.description().signedWithKeyId().isPresent());
    }

    /**
     * Opens {@code file}, whose manifest (parsed and checked by the first pass) is {@code manifest}, to verify its
     * entries; it may decompress to at most {@code maxUncompressedBytes}.
     */
    static ArchiveReader verifying(Path file, Manifest manifest, long maxUncompressedBytes) throws IOException {
        return open(file, manifest, maxUncompressedBytes, ArchiveVerifier.formatBytes(maxUncompressedBytes)
                + " (the configured limit)", false);
    }

    private static ArchiveReader open(Path file, Manifest manifest, long limit, String limitWhat, boolean vouched)
            throws IOException {
        ArchiveInput in = ArchiveInput.open(file, limit, limitWhat, null);
        ArchiveReader reader = new ArchiveReader(in, manifest, vouched);
        try {
            TarReader.Header header = reader.nextHeader();
            if (header == null || !ArchiveLayout.HEADER.equals(header.name())) {
                throw reader.problem("its header", () -> new ArchiveVerificationException("The file is not a "
                        + "Keepsake archive: its first entry is not " + ArchiveLayout.HEADER + "."));
            }
            return reader;
        } catch (IOException | RuntimeException e) {
            Closeables.closeAfterFailure(in, e);
            throw e;
        }
    }

    /** The archive's own verification failure in {@code e}'s causes, or null. */
    public static ArchiveVerificationException verificationFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ArchiveVerificationException ave) {
                return ave;
            }
        }
        return null;
    }

    /** A reader over the entries of {@code part}, which must be the next part in archive order. */
    public Part part(Manifest.Part part, JobContext context) {
        return new Part(part, context);
    }

    /** Reads (and checks) every part with nothing receiving the entries, then {@link #finish()}. */
    void readAll() throws IOException {
        for (Manifest.Part p : manifest.parts()) {
            part(p, null).finish();
        }
        finish();
    }

    /**
     * After the last part: checks that the manifest follows the last entry and that the data read in this pass is
     * the data the manifest records (size and SHA-256 of the compressed bytes); this is where a chunk that differs
     * shows, before any part commits. Call once every part has read its entries.
     */
    public void finish() throws IOException {
        if (position != entries.size()) {
            throw new IllegalStateException("finish() before every part was read (" + position + " of "
                    + entries.size() + " entries)");
        }
        TarReader.Header t = nextHeader();
        if (t == null || !ArchiveLayout.MANIFEST.equals(t.name())) {
            throw problem("the entry after the data", () -> t == null ? new ArchiveVerificationException("The "
                    + "archive has no manifest after its last entry; it was tampered with or damaged; use an intact "
                    + "copy.") : unexpected(t));
        }
        String data = in.dataProblem(manifest.data());
        if (data != null) {
            throw problem("its data", () -> ArchiveVerifier.dataMismatch(data));
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private TarReader.Header nextHeader() throws IOException {
        try {
            return in.tar.next();
        } catch (IOException | RuntimeException e) {
            throw readFailure(e);
        }
    }

    /** A failure to inflate or to read the tar stream. */
    private IOException readFailure(Exception e) {
        if (e instanceof InterruptedIOException ie) {
            return ie;
        }
        if (vouched && e instanceof IOException io) {
            return io;
        }
        ArchiveVerificationException ave = ArchiveVerifier.readFailure(e, position);
        return new IOException(ave.getMessage(), ave);
    }

    /** What a difference from the manifest is reported as: a change since pass 1, or what the difference is. */
    private IOException problem(String what, java.util.function.Supplier<ArchiveVerificationException> named) {
        if (vouched) {
            return new IOException("the archive file changed after it was verified (" + what + " differs); "
                    + "restore from a file nobody modifies during the restore");
        }
        ArchiveVerificationException ave = named.get();
        return new IOException(ave.getMessage(), ave);
    }

    /** The next tar entry, which must be {@code m}. */
    private void check(Manifest.Entry m, TarReader.Header t) throws IOException {
        String name = t == null ? null : t.name();
        if (name != null && t.type() == TarReader.DIRECTORY && name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        boolean typeMatches = t != null && switch (m.type()) {
            case DIRECTORY -> t.type() == TarReader.DIRECTORY;
            case SYMLINK -> t.type() == TarReader.SYMLINK;
            default -> t.isRegular();
        };
        if (m.path().equals(name) && typeMatches && t.size() == m.size()
                && Objects.equals(t.type() == TarReader.SYMLINK ? t.linkName() : null, m.linkTarget())) {
            return;
        }
        throw problem("entry '" + m.path() + "'", () -> difference(m, t));
    }

    /** Names how tar entry {@code t} (null: the end of the tar) differs from manifest entry {@code m}. */
    private ArchiveVerificationException difference(Manifest.Entry m, TarReader.Header t) {
        if (t == null || ArchiveLayout.MANIFEST.equals(t.name())) {
            return entryProblem(m.path(), "is listed in the manifest but missing from the archive");
        }
        String path = checkEntryName(t, knownParts);
        if (!path.equals(m.path())) {
            Integer at = index().get(path);
            if (at == null) {
                return entryProblem(path, "is not listed in the manifest (an extra entry)");
            }
            if (at < position) {
                return new ArchiveVerificationException("The archive contains the entry '"
                        + ManifestJson.abbreviate(path) + "' twice; it was tampered with or damaged.");
            }
            return comesLater(m.path()) ? entryProblem(path, "is not in the order the manifest lists")
                    : entryProblem(m.path(), "is listed in the manifest but missing from the archive");
        }
        if (t.size() != m.size() && (m.type() == ArchiveEntry.Type.FILE || m.type() == ArchiveEntry.Type.CHUNK)
                && t.isRegular()) {
            return entryProblem(path, "has " + t.size() + " bytes but the manifest says " + m.size());
        }
        if (m.type() == ArchiveEntry.Type.SYMLINK && t.type() == TarReader.SYMLINK) {
            return entryProblem(path, "links to a different target than the manifest says");
        }
        return entryProblem(path, "has a different type than the manifest says (" + m.type() + ")");
    }

    /** Whether an entry named {@code path} follows in the tar stream (read on after a difference, to name it). */
    private boolean comesLater(String path) {
        try {
            for (int i = 0; i <= entries.size(); i++) {
                TarReader.Header t = in.tar.next();
                if (t == null || ArchiveLayout.MANIFEST.equals(t.name())) {
                    return false;
                }
                String name = t.type() == TarReader.DIRECTORY && t.name().endsWith("/")
                        ? t.name().substring(0, t.name().length() - 1) : t.name();
                if (name.equals(path)) {
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            // damaged further on: the difference found first is the one to report
        }
        return false;
    }

    private Map<String, Integer> index() {
        if (index == null) {
            index = new HashMap<>();
            for (int i = 0; i < entries.size(); i++) {
                index.putIfAbsent(entries.get(i).path(), i);
            }
        }
        return index;
    }

    private ArchiveVerificationException unexpected(TarReader.Header t) {
        String path = checkEntryName(t, knownParts);
        Integer at = index().get(path);
        return at == null ? entryProblem(path, "is not listed in the manifest (an extra entry)")
                : new ArchiveVerificationException("The archive contains the entry '" + ManifestJson.abbreviate(path)
                        + "' twice; it was tampered with or damaged.");
    }

    private static ArchiveVerificationException entryProblem(String path, String problem) {
        return new ArchiveVerificationException("The archive's entry '" + ManifestJson.abbreviate(path) + "' "
                + problem + "; it was tampered with or damaged; use an intact copy.");
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

    /** The {@link PartReader} of one part. */
    public final class Part implements PartReader {
        private final Manifest.Part part;
        private final JobContext context;
        private VerifyingStream current;
        private Map<String, Integer> chunkCounts;

        Part(Manifest.Part part, JobContext context) {
            this.part = part;
            this.context = context;
        }

        @Override
        public String partName() {
            return part.name();
        }

        @Override
        public Map<String, String> attributes() {
            return part.attributes();
        }

        @Override
        public Optional<String> schemaVersion() {
            return Optional.ofNullable(part.schemaVersion());
        }

        @Override
        public long entryCount() {
            return part.entryCount();
        }

        @Override
        public long totalBytes() {
            return part.totalBytes();
        }

        @Override
        public int chunkCount(String streamName) {
            if (chunkCounts == null) {
                chunkCounts = new HashMap<>();
                for (Manifest.Entry e : entries) {
                    if (e.part().equals(part.name()) && e.type() == ArchiveEntry.Type.CHUNK) {
                        chunkCounts.merge(e.name(), 1, Integer::sum);
                    }
                }
            }
            return chunkCounts.getOrDefault(streamName, 0);
        }

        @Override
        public Optional<Entry> next() throws IOException {
            if (current != null) {
                current.drain();
                current = null;
            }
            if (position >= entries.size() || !entries.get(position).part().equals(part.name())) {
                return Optional.empty();
            }
            Manifest.Entry m = entries.get(position);
            check(m, nextHeader());
            position++;
            VerifyingStream s = new VerifyingStream(m, context);
            current = s;
            ArchiveEntry entry = m.toArchiveEntry();
            return Optional.of(new Entry() {
                @Override
                public ArchiveEntry entry() {
                    return entry;
                }

                @Override
                public InputStream content() {
                    return s;
                }
            });
        }

        /** Reads (and verifies) whatever the job left unread of this part. */
        public void finish() throws IOException {
            while (next().isPresent()) {
                // next() drains and verifies the previous entry
            }
        }
    }

    /**
     * Exactly {@code size} bytes of one entry; verifies the SHA-256 (chunks have none) when the last byte has been
     * read.
     */
    private final class VerifyingStream extends InputStream {
        private final Manifest.Entry entry;
        private final JobContext context;
        private final MessageDigest digest;
        private long remaining;
        private boolean verified;

        VerifyingStream(Manifest.Entry entry, JobContext context) {
            this.entry = entry;
            this.context = context;
            this.remaining = entry.size();
            this.digest = entry.sha256() == null ? null : TarSink.sha256();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (remaining == 0) {
                verify();
                return -1;
            }
            int n;
            try {
                n = in.tar.read(b, off, (int) Math.min(len, remaining));
            } catch (IOException | RuntimeException e) {
                throw readFailure(e);
            }
            if (n < 0) {
                throw problem("entry '" + entry.path() + "' is shorter", () -> ArchiveVerifier.readFailure(
                        new java.io.EOFException("entry '" + entry.path() + "' ends early"), position));
            }
            if (digest != null) {
                digest.update(b, off, n);
            }
            remaining -= n;
            if (context != null) {
                context.addProgress(n);
            }
            if (remaining == 0) {
                verify();
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long done = 0;
            while (done < n) {
                int r = read(skipBuffer, 0, (int) Math.min(skipBuffer.length, n - done));
                if (r < 0) {
                    break;
                }
                done += r;
            }
            return done;
        }

        @Override
        public int available() {
            return 0;
        }

        private void verify() throws IOException {
            if (verified) {
                return;
            }
            verified = true;
            if (digest != null && !ArchiveLayout.hex(digest.digest()).equals(entry.sha256())) {
                throw problem("the content of entry '" + entry.path() + "'",
                        () -> entryProblem(entry.path(), "does not match its SHA-256 in the manifest"));
            }
        }

        void drain() throws IOException {
            while (read(skipBuffer, 0, skipBuffer.length) >= 0) {
                // read to the end, which verifies the hash
            }
        }

        @Override
        public void close() {
            // owned by the reader: the rest is read and verified by the next call to next()
        }
    }
}
