package dev.keepsake.testfixtures;

import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.BackupJob;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartReader;
import dev.keepsake.core.spi.PartWriter;
import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.core.spi.RestoreJob;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real part shaped like a database dump, for engine-level tests: streams of unknown length written as chunks from
 * two threads at once (so their chunks interleave in the archive), heap and direct buffers alternately, one stream
 * through {@link PartWriter#openStream} with writes that straddle chunk borders, and an empty stream. It restores one
 * file per stream into a target directory, staged in {@code <target>.staging} and swapped in on commit.
 *
 * <p>The streams are {@link #STREAMS}; their content is deterministic ({@link #content(String)}), so a test compares
 * the restored files with it. {@link #prepare} checks that chunks arrive in order and that the attribute
 * {@value #SERVER_ATTRIBUTE} survived. {@link #prepares}, {@link #commits} and {@link #aborts} count the engine's calls;
 * {@link #failPrepare} and {@link #failCommit} inject failures.
 *
 * <p><b>Thread-safety:</b> safe for what tests do: configure it and read its counters from the test thread while the
 * engine runs it on its own thread (its state is volatile or atomic). Like any part, it runs one backup or restore at
 * a time.
 */
public final class StreamPart implements BackupJob, RestoreJob {

    /** The part type recorded in the manifest. */
    public static final String TYPE = "stream";
    /** The schema version the part reports. */
    public static final String SCHEMA_VERSION = "V42";
    /** Attribute the part records (value {@code "15.4"}) and requires on restore. */
    public static final String SERVER_ATTRIBUTE = "server";
    /** The names of the streams it writes. */
    public static final List<String> STREAMS = List.of("table-a", "table-b", "copy", "empty");

    /** Calls of {@link #prepare}. */
    public final AtomicInteger prepares = new AtomicInteger();
    /** Successful commits. */
    public final AtomicInteger commits = new AtomicInteger();
    /** Calls of {@link PreparedRestore#abort()}. */
    public final AtomicInteger aborts = new AtomicInteger();

    private final String name;
    private final Path target;
    private volatile String failPrepare;
    private volatile String failCommit;

    /** A part named {@code name} that restores its streams as files into {@code target}. */
    public StreamPart(String name, Path target) {
        this.name = Objects.requireNonNull(name, "name");
        this.target = Objects.requireNonNull(target, "target");
    }

    /** The deterministic content of the stream {@code stream} (empty for a name it does not write). */
    public static byte[] content(String stream) {
        int size = switch (stream) {
            case "table-a" -> 300_000;
            case "table-b" -> 123_457;
            case "copy" -> 10_500;
            default -> 0;
        };
        byte[] b = new byte[size];
        new Random(stream.hashCode()).nextBytes(b);
        return b;
    }

    /**
     * From now on, {@link #prepare} fails with an {@link IOException} carrying {@code message} after staging every
     * stream (and deletes its staging); {@code null} turns this off.
     */
    public StreamPart failPrepare(String message) {
        this.failPrepare = message;
        return this;
    }

    /**
     * From now on, {@link PreparedRestore#commit()} fails with an {@link IOException} carrying {@code message} before
     * changing anything; {@code null} turns this off.
     */
    public StreamPart failCommit(String message) {
        this.failCommit = message;
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Optional<String> schemaVersion(JobContext context) {
        return Optional.of(SCHEMA_VERSION);
    }

    @Override
    public void write(PartWriter out, JobContext context) throws IOException {
        out.putAttribute(SERVER_ATTRIBUTE, "15.4");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = pool.submit(() -> chunks(out, "table-a", 7_000));
            Future<?> b = pool.submit(() -> chunks(out, "table-b", 5_000));
            a.get();
            b.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing streams in parallel", e);
        } catch (Exception e) {
            throw new IOException("parallel write failed", e);
        } finally {
            pool.shutdownNow();
        }
        try (OutputStream s = out.openStream("copy", 1000)) {
            byte[] c = content("copy");
            s.write(c, 0, 10);
            s.write(c, 10, 4000);
            s.write(c, 4010, c.length - 4010);
        }
        out.openStream("empty", 1000).close();
    }

    private static void chunks(PartWriter out, String stream, int chunk) {
        byte[] c = content(stream);
        try {
            for (int off = 0; off < c.length; off += chunk) {
                int len = Math.min(chunk, c.length - off);
                // a heap buffer exercises the zero-copy path, a direct buffer the copying one
                ByteBuffer buf = (off / chunk) % 2 == 0 ? ByteBuffer.wrap(c, off, len)
                        : ByteBuffer.allocateDirect(len).put(c, off, len).flip();
                out.appendChunk(stream, buf);
                Thread.yield();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public PreparedRestore prepare(PartReader in, JobContext context) throws IOException {
        prepares.incrementAndGet();
        if (!"15.4".equals(in.attributes().get(SERVER_ATTRIBUTE))) {
            throw new IOException("attribute missing: " + in.attributes());
        }
        Path staging = target.resolveSibling(target.getFileName() + ".staging");
        DirectoryPart.deleteTree(staging);
        Files.createDirectories(staging);
        Map<String, Integer> nextChunk = new HashMap<>();
        try {
            for (Optional<PartReader.Entry> e = in.next(); e.isPresent(); e = in.next()) {
                ArchiveEntry a = e.get().entry();
                if (a.type() != ArchiveEntry.Type.CHUNK) {
                    throw new IOException("unexpected " + a);
                }
                int want = nextChunk.getOrDefault(a.name(), 0);
                if (a.chunkIndex() != want) {
                    throw new IOException("chunk " + a.chunkIndex() + " of " + a.name() + " out of order");
                }
                nextChunk.put(a.name(), want + 1);
                try (OutputStream o = Files.newOutputStream(staging.resolve(a.name()), StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND); InputStream c = e.get().content()) {
                    c.transferTo(o);
                }
            }
            String failure = failPrepare;
            if (failure != null) {
                throw new IOException(failure);
            }
        } catch (IOException | RuntimeException failure) {
            DirectoryPart.deleteTree(staging); // a prepare that fails leaves nothing behind
            throw failure;
        }
        return new PreparedRestore() {
            @Override
            public void commit() throws IOException {
                String failure = failCommit;
                if (failure != null) {
                    throw new IOException(failure);
                }
                Path old = target.resolveSibling(target.getFileName() + ".old");
                DirectoryPart.deleteTree(old);
                if (Files.exists(target)) {
                    Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                }
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                DirectoryPart.deleteTree(old);
                commits.incrementAndGet();
            }

            @Override
            public void abort() throws IOException {
                aborts.incrementAndGet();
                DirectoryPart.deleteTree(staging);
            }
        };
    }
}
