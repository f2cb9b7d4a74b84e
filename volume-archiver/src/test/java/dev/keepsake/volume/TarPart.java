package dev.keepsake.volume;

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
 * A minimal stand-in for the engine's archive writer and reader, over a real tar file (POSIX long names and big
 * numbers), so the volume part can be tested with real bytes before and independently of the engine. Its "manifest"
 * is a pre-scan of the tar (entry count and total size) plus the attributes kept in memory.
 */
final class TarPart {

    private TarPart() {
    }

    /** Backs the job up into {@code tar}; {@code beforeEntry} runs before each entry is added (to simulate changes). */
    static Map<String, String> write(BackupJob job, Path tar, JobContext context, Consumer<ArchiveEntry> beforeEntry)
            throws IOException {
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

    static Map<String, String> write(BackupJob job, Path tar, JobContext context) throws IOException {
        return write(job, tar, context, e -> { });
    }

    static PartReader reader(Path tar, String partName, Map<String, String> attributes) throws IOException {
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
                default -> throw new IOException("unsupported " + entry.type());
            }
            t.setMode(entry.mode());
            t.setLastModifiedTime(FileTime.from(entry.lastModified()));
            out.putArchiveEntry(t);
            long size = entry.size();
            return new FilterOutputStream(out) {
                long written;

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
            throw new IOException("chunks are not used by volumes");
        }

        @Override
        public OutputStream openStream(String streamName, int chunkSize) throws IOException {
            throw new IOException("chunks are not used by volumes");
        }

        @Override
        public void putAttribute(String key, String value) {
            attributes.put(key, value);
        }
    }

    private static final class Reader implements PartReader {
        private final String partName;
        private final Map<String, String> attributes;
        private final long count;
        private final long total;
        private final TarArchiveInputStream in;

        Reader(Path tar, String partName, Map<String, String> attributes, long count, long total) throws IOException {
            this.partName = partName;
            this.attributes = Map.copyOf(attributes);
            this.count = count;
            this.total = total;
            this.in = new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(tar), 1 << 16));
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
            TarArchiveEntry t = in.getNextEntry();
            if (t == null) {
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
            InputStream content = new InputStream() {
                @Override
                public int read() throws IOException {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return in.read(b, off, len);
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
