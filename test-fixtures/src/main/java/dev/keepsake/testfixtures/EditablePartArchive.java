package dev.keepsake.testfixtures;

import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.PartReader;
import dev.keepsake.core.spi.PartWriter;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One part's entries kept as one file each in a directory, in archive order: a stand-in for the engine's archive
 * writer and reader with which a test can reach every entry, to inspect it ({@link #entries}, {@link #content}) or
 * tamper with it ({@link #replace}, {@link #attributes}) before a restore reads it. Its {@link #writer()} is a real
 * {@link PartWriter} for streamed parts (thread-safe {@link PartWriter#appendChunk}, as the engine's), its
 * {@link #reader(String)} a real {@link PartReader} over the files.
 *
 * <p>It checks no signature and no hash: a reader sees tampered entries as they are, which is the point. An entry
 * written with {@link PartWriter#addEntry} takes its place in the order when its stream is closed. For a part that
 * writes files and symbolic links and should go through a real tar encoding, use {@link TarPartArchive}.
 *
 * <p><b>Thread-safety:</b> the writer is as thread-safe as the engine's ({@code appendChunk} and {@code putAttribute}
 * from any thread; {@code addEntry} from one thread at a time); the other methods may be called from any thread, but
 * inspect and tamper once the backup is done. Each reader is used by one thread.
 */
public final class EditablePartArchive {

    /**
     * The attributes the part recorded: the live map, which a test may change to forge what a restore sees. Read it
     * once the backup is done.
     */
    public final Map<String, String> attributes = Collections.synchronizedMap(new LinkedHashMap<>());
    /** The entries in archive order (read-only view; {@link #replace} changes an entry's size). */
    public final List<ArchiveEntry> entries;

    private final Path dir;
    private final List<ArchiveEntry> entryList = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();
    private final Map<String, Integer> chunkCounters = new HashMap<>();

    /** An empty archive whose entries are written as files into {@code dir}, an existing directory of its own. */
    public EditablePartArchive(Path dir) {
        this.dir = Objects.requireNonNull(dir, "dir");
        this.entries = Collections.unmodifiableList(entryList);
    }

    /** Index of the first entry with this name and chunk index (-1 for entries that are not chunks), or -1. */
    public synchronized int indexOf(String name, int chunkIndex) {
        for (int i = 0; i < entryList.size(); i++) {
            if (entryList.get(i).name().equals(name) && entryList.get(i).chunkIndex() == chunkIndex) {
                return i;
            }
        }
        return -1;
    }

    /** The content of the entry at {@code index}. */
    public synchronized byte[] content(int index) throws IOException {
        return Files.readAllBytes(files.get(index));
    }

    /** Replaces the content of the entry at {@code index} (and its size), for tests of what a restore refuses. */
    public synchronized void replace(int index, byte[] content) throws IOException {
        ArchiveEntry e = entryList.get(index);
        Files.write(files.get(index), content);
        entryList.set(index, new ArchiveEntry(e.name(), e.type(), content.length, e.mode(), e.lastModified(),
                e.linkTarget(), e.chunkIndex()));
    }

    /** The sum of the entries' sizes. */
    public synchronized long totalBytes() {
        return entryList.stream().mapToLong(ArchiveEntry::size).sum();
    }

    /** A writer that adds to this archive; a part writes through one writer per backup. */
    public PartWriter writer() {
        return new Writer();
    }

    /**
     * A reader over the entries as they are now, for the part {@code partName}; it reports the attributes as they are
     * when asked, and no schema version.
     */
    public PartReader reader(String partName) {
        return new Reader(Objects.requireNonNull(partName, "partName"));
    }

    private synchronized void add(ArchiveEntry entry, Path pending) throws IOException {
        Path file = nextFile();
        Files.move(pending, file, StandardCopyOption.ATOMIC_MOVE);
        entryList.add(entry);
        files.add(file);
    }

    private synchronized void addChunk(String streamName, ByteBuffer data) throws IOException {
        int index = chunkCounters.merge(streamName, 1, Integer::sum) - 1;
        ArchiveEntry entry = new ArchiveEntry(streamName, ArchiveEntry.Type.CHUNK, data.remaining(),
                ArchiveEntry.DEFAULT_FILE_MODE, Instant.now(), null, index);
        Path file = nextFile();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (data.hasRemaining()) {
                ch.write(data);
            }
        }
        entryList.add(entry);
        files.add(file);
    }

    private Path nextFile() {
        return dir.resolve(String.format("%08d", entryList.size()));
    }

    private final class Writer implements PartWriter {

        @Override
        public OutputStream addEntry(ArchiveEntry entry) throws IOException {
            Path pending = Files.createTempFile(dir, "entry-", ".pending");
            OutputStream file = new BufferedOutputStream(Files.newOutputStream(pending));
            return new OutputStream() {
                private long written;
                private boolean closed;

                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (written + len > entry.size()) {
                        throw new IOException("entry " + entry.name() + ": more than " + entry.size() + " bytes");
                    }
                    file.write(b, off, len);
                    written += len;
                }

                @Override
                public void close() throws IOException {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    file.close();
                    if (written != entry.size()) {
                        Files.delete(pending);
                        throw new IOException("entry " + entry.name() + ": wrote " + written + " of " + entry.size());
                    }
                    add(entry, pending);
                }
            };
        }

        @Override
        public void appendChunk(String streamName, ByteBuffer data) throws IOException {
            addChunk(streamName, data);
        }

        @Override
        public OutputStream openStream(String streamName, int chunkSize) {
            if (chunkSize <= 0) {
                throw new IllegalArgumentException("chunkSize must be > 0 but was " + chunkSize);
            }
            return new OutputStream() {
                private final ByteBuffer chunk = ByteBuffer.allocate(chunkSize);
                private boolean appended;
                private boolean closed;

                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    while (len > 0) {
                        int n = Math.min(len, chunk.remaining());
                        chunk.put(b, off, n);
                        off += n;
                        len -= n;
                        if (!chunk.hasRemaining()) {
                            flushChunk();
                        }
                    }
                }

                private void flushChunk() throws IOException {
                    addChunk(streamName, chunk.flip());
                    chunk.clear();
                    appended = true;
                }

                @Override
                public void close() throws IOException {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    if (chunk.position() > 0 || !appended) {
                        flushChunk(); // the last, shorter chunk; an empty stream still gets one empty chunk
                    }
                }
            };
        }

        @Override
        public void putAttribute(String key, String value) {
            attributes.put(key, value);
        }
    }

    private final class Reader implements PartReader {
        private final String partName;
        private int next;
        private InputStream open;

        Reader(String partName) {
            this.partName = partName;
        }

        @Override
        public String partName() {
            return partName;
        }

        @Override
        public Map<String, String> attributes() {
            synchronized (attributes) {
                return Map.copyOf(attributes);
            }
        }

        @Override
        public Optional<String> schemaVersion() {
            return Optional.empty();
        }

        @Override
        public long entryCount() {
            synchronized (EditablePartArchive.this) {
                return entryList.size();
            }
        }

        @Override
        public long totalBytes() {
            return EditablePartArchive.this.totalBytes();
        }

        @Override
        public int chunkCount(String streamName) {
            synchronized (EditablePartArchive.this) {
                return (int) entryList.stream().filter(e -> e.type() == ArchiveEntry.Type.CHUNK
                        && e.name().equals(streamName)).count();
            }
        }

        @Override
        public Optional<Entry> next() throws IOException {
            if (open != null) {
                open.close();
                open = null;
            }
            ArchiveEntry e;
            Path file;
            synchronized (EditablePartArchive.this) {
                if (next >= entryList.size()) {
                    return Optional.empty();
                }
                e = entryList.get(next);
                file = files.get(next);
            }
            next++;
            InputStream in = Files.newInputStream(file);
            open = in;
            return Optional.of(new Entry() {
                @Override
                public ArchiveEntry entry() {
                    return e;
                }

                @Override
                public InputStream content() {
                    return in;
                }
            });
        }
    }
}
