package dev.keepsake.core.internal.archive;

import dev.keepsake.core.ArchiveVerificationException;
import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pass 2 of a restore: reads a verified archive again, part by part, handing each part's entries to its restore job
 * through a {@link PartReader} that hashes every entry as it is read and fails at the end of an entry whose bytes
 * differ from the manifest (the file changed since pass 1, or — for chunks, which pass 1 of a restore does not hash —
 * the archive was tampered with), before the last bytes reach the part. In format 2 the chunks have no hash of their
 * own (pass 1 checked the SHA-256 of all compressed data); {@link #finish()} checks it again after the last part, so
 * a file changed between the passes fails the restore before any part commits. The decompressed stream may not be longer
 * than it was in pass 1. Not thread-safe. Internal.
 */
public final class ArchiveReader implements AutoCloseable {

    private final ArchiveInput in;
    private final Manifest.DataDigest data;
    private final List<Manifest.Entry> entries;
    private final boolean chunksHashed;
    private final byte[] skipBuffer = new byte[ArchiveLayout.BUFFER_SIZE];
    private int position;

    private ArchiveReader(ArchiveInput in, Manifest.DataDigest data, List<Manifest.Entry> entries,
                          boolean chunksHashed) {
        this.in = in;
        this.data = data;
        this.entries = entries;
        this.chunksHashed = chunksHashed;
    }

    /** Opens {@code file}, which {@code verified} describes, and positions it after the header. */
    public static ArchiveReader open(Path file, ArchiveVerifier.VerifiedArchive verified) throws IOException {
        ArchiveInput in = ArchiveInput.open(file, verified.uncompressedBytes(),
                verified.uncompressedBytes() + " bytes (its size when it was verified)", null);
        try {
            TarReader.Header header = in.tar.next();
            if (header == null || !ArchiveLayout.HEADER.equals(header.name())) {
                throw changed("its header");
            }
            return new ArchiveReader(in, verified.manifest().data(), verified.manifest().entries(),
                    verified.chunksHashed());
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private static IOException changed(String what) {
        return new IOException("the archive file changed after it was verified (" + what + " differs); "
                + "restore from a file nobody modifies during the restore");
    }

    /** A reader over the entries of {@code part}, which must be the next part in archive order. */
    public Part part(Manifest.Part part, JobContext context) {
        return new Part(part, context);
    }

    /**
     * After the last part: checks that the data read in this pass is the data verified in pass 1. In format 2 the
     * chunks have no hash of their own: this is where a file changed between the passes shows, before any part
     * commits. Call once every part has read its entries.
     */
    public void finish() throws IOException {
        if (data == null) {
            return;
        }
        if (position != entries.size()) {
            throw new IllegalStateException("finish() before every part was read (" + position + " of "
                    + entries.size() + " entries)");
        }
        TarReader.Header manifest = in.tar.next();
        if (manifest == null || !ArchiveLayout.MANIFEST.equals(manifest.name())) {
            throw changed("the entry after the data");
        }
        if (in.dataProblem(data) != null) {
            throw changed("its data");
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
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
                chunkCounts = new java.util.HashMap<>();
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
            Manifest.Entry m = entries.get(position++);
            TarReader.Header t = in.tar.next();
            String name = t == null ? null : t.name();
            if (name != null && t.type() == TarReader.DIRECTORY && name.endsWith("/")) {
                name = name.substring(0, name.length() - 1);
            }
            if (!m.path().equals(name) || t.size() != m.size()) {
                throw changed("entry '" + m.path() + "'");
            }
            boolean typeMatches = switch (m.type()) {
                case DIRECTORY -> t.type() == TarReader.DIRECTORY;
                case SYMLINK -> t.type() == TarReader.SYMLINK && t.linkName().equals(m.linkTarget());
                default -> t.isRegular();
            };
            if (!typeMatches) {
                // pass 1 compared the types too, unless a signed archive was vouched for by its data's SHA-256
                throw changed("the type or link target of entry '" + m.path() + "'");
            }
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

    /** Exactly {@code size} bytes of one entry; verifies the SHA-256 when the last byte has been read. */
    private final class VerifyingStream extends InputStream {
        private final Manifest.Entry entry;
        private final JobContext context;
        private final MessageDigest digest = TarSink.sha256();
        private long remaining;
        private boolean verified;

        VerifyingStream(Manifest.Entry entry, JobContext context) {
            this.entry = entry;
            this.context = context;
            this.remaining = entry.size();
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
            int n = in.tar.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw changed("entry '" + entry.path() + "' is shorter");
            }
            if (entry.sha256() != null) {
                digest.update(b, off, n);
            }
            remaining -= n;
            context.addProgress(n);
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
            if (entry.sha256() == null) {
                return; // a chunk of format 2: the data digest covers it (finish())
            }
            if (!ArchiveLayout.hex(digest.digest()).equals(entry.sha256())) {
                if (!chunksHashed && ArchiveLayout.isChunkTarName(entry.path())) {
                    // pass 1 left the chunks' content to this pass: this is where tampering shows
                    ArchiveVerificationException tampered = ArchiveVerifier.hashMismatch(entry.path());
                    throw new IOException(tampered.getMessage(), tampered);
                }
                throw changed("the content of entry '" + entry.path() + "'");
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
