package dev.keepsake.testfixtures;

import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.BackupJob;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartReader;
import dev.keepsake.core.spi.PartWriter;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One part's entries in a real tar file (POSIX long names and big numbers, like the engine's archive), streamed: a
 * stand-in for the engine's archive writer and reader, so that a part that writes files, directories and symbolic
 * links (a volume) can be tested with real bytes through a real tar encoding, without the engine. The "manifest" is
 * the attribute map {@link #write} returns plus a pre-scan of the tar (entry count and total size).
 *
 * <p>It has no chunks ({@link PartWriter#appendChunk} and {@link PartWriter#openStream} fail) and no way to reach a
 * single entry: for streamed parts, or to inspect or tamper with entries one by one, use
 * {@link EditablePartArchive}.
 *
 * <p>Stateless and thread-safe; the writer and reader it hands out are used by one thread, as a volume uses them.
 */
public final class TarPartArchive {

    private TarPartArchive() {
    }

    /**
     * Backs {@code job} up into the new file {@code tar}.
     *
     * @param beforeEntry runs before each entry is added (e.g. to change the source while it is backed up)
     * @return the attributes the job recorded, in order
     */
    public static Map<String, String> write(BackupJob job, Path tar, JobContext context,
                                            Consumer<ArchiveEntry> beforeEntry) throws IOException {
        Map<String, String> attributes = new LinkedHashMap<>();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(
                new BufferedOutputStream(Files.newOutputStream(tar), 1 << 16))) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            out.setAddPaxHeadersForNonAsciiNames(true);
            job.write(new Writer(out, attributes, beforeEntry), context);
            out.finish();
        }
        return attributes;
    }

    /** Backs {@code job} up into the new file {@code tar}; returns the attributes the job recorded. */
    public static Map<String, String> write(BackupJob job, Path tar, JobContext context) throws IOException {
        return write(job, tar, context, e -> { });
    }

    /**
     * A reader over the entries of {@code tar} for a restore, reporting {@code attributes} as the part's (pass other
     * attributes than {@link #write} returned to forge what a restore sees). The tar is opened on the first
     * {@link PartReader#next()} and closed when the last entry has been returned.
     */
    public static PartReader reader(Path tar, String partName, Map<String, String> attributes) throws IOException {
        long count = 0;
        long total = 0;
        try (TarArchiveInputStream in = new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(tar)))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                count++;
                total += e.getSize();
            }
        }
        return new Reader(tar, partName, attributes, count, total);
    }

    private static final class Writer implements PartWriter {
        private final TarArchiveOutputStream out;
        private final Map<String, String> attributes;
        private final Consumer<ArchiveEntry> beforeEntry;

        Writer(TarArchiveOutputStream out, Map<String, String> attributes, Consumer<ArchiveEntry> beforeEntry) {
            this.out = out;
            this.attributes = attributes;
            this.beforeEntry = beforeEntry;
        }

        @Override
        public OutputStream addEntry(ArchiveEntry entry) throws IOException {
            beforeEntry.accept(entry);
            TarArchiveEntry t;
            switch (entry.type()) {
                case FILE -> {
                    t = new TarArchiveEntry(entry.name());
                    t.setSize(entry.size());
                }
                case DIRECTORY -> t = new TarArchiveEntry(entry.name() + "/");
                case SYMLINK -> {
                    t = new TarArchiveEntry(entry.name(), TarConstants.LF_SYMLINK);
                    t.setLinkName(entry.linkTarget());
                }
                default -> throw new IOException("a tar part archive has no " + entry.type() + " entries: "
                        + entry.name());
            }
            t.setMode(entry.mode());
            t.setLastModifiedTime(FileTime.from(entry.lastModified()));
            out.putArchiveEntry(t);
            long size = entry.size();
            return new FilterOutputStream(out) {
                private long written;

                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (written + len > size) {
                        throw new IOException("entry " + entry.name() + ": more than " + size + " bytes");
                    }
                    Writer.this.out.write(b, off, len);
                    written += len;
                }

                @Override
                public void close() throws IOException {
                    if (written != size) {
                        throw new IOException("entry " + entry.name() + ": wrote " + written + " of " + size + " bytes");
                    }
                    Writer.this.out.closeArchiveEntry();
                }
            };
        }

        @Override
        public void appendChunk(String streamName, ByteBuffer data) throws IOException {
            throw new IOException("a tar part archive has no chunks; use EditablePartArchive for streamed parts");
        }

        @Override
        public OutputStream openStream(String streamName, int chunkSize) throws IOException {
            throw new IOException("a tar part archive has no chunks; use EditablePartArchive for streamed parts");
        }

        @Override
        public void putAttribute(String key, String value) {
            attributes.put(key, value);
        }
    }

    private static final class Reader implements PartReader {
        private final Path tar;
        private final String partName;
        private final Map<String, String> attributes;
        private final long count;
        private final long total;
        private TarArchiveInputStream in;
        private boolean done;

        Reader(Path tar, String partName, Map<String, String> attributes, long count, long total) {
            this.tar = tar;
            this.partName = partName;
            this.attributes = Map.copyOf(attributes);
            this.count = count;
            this.total = total;
        }

        @Override
        public String partName() {
            return partName;
        }

        @Override
        public Map<String, String> attributes() {
            return attributes;
        }

        @Override
        public Optional<String> schemaVersion() {
            return Optional.empty();
        }

        @Override
        public long entryCount() {
            return count;
        }

        @Override
        public long totalBytes() {
            return total;
        }

        @Override
        public Optional<Entry> next() throws IOException {
            if (done) {
                return Optional.empty();
            }
            if (in == null) {
                in = new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(tar), 1 << 16));
            }
            TarArchiveEntry t = in.getNextEntry();
            if (t == null) {
                done = true;
                in.close();
                return Optional.empty();
            }
            String name = t.getName();
            ArchiveEntry e;
            if (t.isDirectory()) {
                e = ArchiveEntry.directory(name.substring(0, name.length() - 1), t.getMode() & 07777,
                        t.getLastModifiedTime().toInstant());
            } else if (t.isSymbolicLink()) {
                e = ArchiveEntry.symlink(name, t.getLinkName(), t.getLastModifiedTime().toInstant());
            } else {
                e = ArchiveEntry.file(name, t.getSize(), t.getMode() & 07777, t.getLastModifiedTime().toInstant());
            }
            TarArchiveInputStream current = in;
            InputStream content = new InputStream() { // the entry's bytes; closing it leaves the tar open
                @Override
                public int read() throws IOException {
                    return current.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return current.read(b, off, len);
                }
            };
            return Optional.of(new Entry() {
                @Override
                public ArchiveEntry entry() {
                    return e;
                }

                @Override
                public InputStream content() {
                    return content;
                }
            });
        }
    }
}
