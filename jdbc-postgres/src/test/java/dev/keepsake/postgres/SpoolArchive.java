package dev.keepsake.postgres;

import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartReader;
import dev.keepsake.core.spi.PartWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A part written to plain files in a directory, in entry order, for testing the job without the engine's archive:
 * a real {@link PartWriter} (thread-safe appendChunk, as the engine's) and {@link PartReader} over real files.
 */
final class SpoolArchive {

    final Path dir;
    final Map<String, String> attributes = new LinkedHashMap<>();
    final List<ArchiveEntry> entries = new ArrayList<>();
    final List<Path> files = new ArrayList<>();
    private final Map<String, Integer> chunkCounters = new HashMap<>();

    SpoolArchive(Path dir) {
        this.dir = dir;
    }

    /** Index of the first entry with this name (and chunk index, for chunks), or -1. */
    int indexOf(String name, int chunkIndex) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).name().equals(name) && entries.get(i).chunkIndex() == chunkIndex) {
                return i;
            }
        }
        return -1;
    }

    /** Replaces an entry's content (tampering, for failure tests). */
    synchronized void replace(int index, byte[] content) throws IOException {
        ArchiveEntry e = entries.get(index);
        Files.write(files.get(index), content);
        entries.set(index, new ArchiveEntry(e.name(), e.type(), content.length, e.mode(), e.lastModified(),
                e.linkTarget(), e.chunkIndex()));
    }

    byte[] content(int index) throws IOException {
        return Files.readAllBytes(files.get(index));
    }

    long totalBytes() {
        return entries.stream().mapToLong(ArchiveEntry::size).sum();
    }

    PartWriter writer() {
        return new PartWriter() {
            @Override
            public OutputStream addEntry(ArchiveEntry entry) throws IOException {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                return new OutputStream() {
                    @Override
                    public void write(int b) {
                        bytes.write(b);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        bytes.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        if (bytes.size() != entry.size()) {
                            throw new IOException("entry " + entry.name() + ": wrote " + bytes.size() + " of " + entry.size());
                        }
                        store(entry, ByteBuffer.wrap(bytes.toByteArray()));
                    }
                };
            }

            @Override
            public void appendChunk(String streamName, ByteBuffer data) throws IOException {
                synchronized (SpoolArchive.this) {
                    int index = chunkCounters.merge(streamName, 1, Integer::sum) - 1;
                    store(new ArchiveEntry(streamName, ArchiveEntry.Type.CHUNK, data.remaining(), 0644, Instant.now(),
                            null, index), data);
                }
            }

            @Override
            public OutputStream openStream(String streamName, int chunkSize) {
                throw new UnsupportedOperationException("not used by the PostgreSQL part");
            }

            @Override
            public void putAttribute(String key, String value) {
                synchronized (SpoolArchive.this) {
                    attributes.put(key, value);
                }
            }
        };
    }

    private synchronized void store(ArchiveEntry entry, ByteBuffer data) throws IOException {
        Path file = dir.resolve(String.format("%08d", entries.size()));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (data.hasRemaining()) {
                ch.write(data);
            }
        }
        entries.add(entry);
        files.add(file);
    }

    PartReader reader(String partName) {
        return new PartReader() {
            int next;
            InputStream open;

            @Override
            public String partName() {
                return partName;
            }

            @Override
            public Map<String, String> attributes() {
                return Map.copyOf(attributes);
            }

            @Override
            public Optional<String> schemaVersion() {
                return Optional.empty();
            }

            @Override
            public long entryCount() {
                return entries.size();
            }

            @Override
            public long totalBytes() {
                return SpoolArchive.this.totalBytes();
            }

            @Override
            public int chunkCount(String streamName) {
                return (int) entries.stream().filter(e -> e.type() == ArchiveEntry.Type.CHUNK
                        && e.name().equals(streamName)).count();
            }

            @Override
            public Optional<Entry> next() throws IOException {
                if (open != null) {
                    open.close();
                    open = null;
                }
                if (next >= entries.size()) {
                    return Optional.empty();
                }
                ArchiveEntry e = entries.get(next);
                InputStream in = Files.newInputStream(files.get(next));
                next++;
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
        };
    }

    /** A job context that records progress. */
    static final class Context implements JobContext {
        final AtomicLong progress = new AtomicLong();
        final String id;

        Context(String id) {
            this.id = id;
        }

        @Override
        public String operationId() {
            return id;
        }

        @Override
        public Instant startedAt() {
            return Instant.EPOCH;
        }

        @Override
        public void addProgress(long bytes) {
            progress.addAndGet(bytes);
        }

        @Override
        public void phase(String description) {
            // phases are shown by the engine's status; tests do not need them
        }

        @Override
        public boolean applicationQuiesced() {
            return false;
        }
    }
}
