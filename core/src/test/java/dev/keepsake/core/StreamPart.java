package dev.keepsake.core;

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
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real in-test part like a database dump: streams of unknown length written as chunks from two threads at once
 * (interleaved), a stream through openStream, an empty stream; restored into one file per stream in a target
 * directory (staged, swapped on commit).
 */
final class StreamPart implements BackupJob, RestoreJob {

    final String name;
    final Path target;
    final AtomicInteger prepares = new AtomicInteger();
    final AtomicInteger commits = new AtomicInteger();
    final AtomicInteger aborts = new AtomicInteger();
    volatile String failPrepare;
    volatile String failCommit;
    volatile String schema = "V42";

    StreamPart(String name, Path target) {
        this.name = name;
        this.target = target;
    }

    /** The deterministic content of a stream. */
    static byte[] content(String stream) {
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

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "stream";
    }

    @Override
    public Optional<String> schemaVersion(JobContext context) {
        return Optional.ofNullable(schema);
    }

    @Override
    public void write(PartWriter out, JobContext context) throws IOException {
        out.putAttribute("server", "15.4");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = pool.submit(() -> chunks(out, "table-a", 7_000));
            Future<?> b = pool.submit(() -> chunks(out, "table-b", 5_000));
            a.get();
            b.get();
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
                // a direct buffer exercises the copying path, a heap buffer the zero-copy one
                ByteBuffer buf = (off / chunk) % 2 == 0 ? ByteBuffer.wrap(c, off, Math.min(chunk, c.length - off))
                        : ByteBuffer.allocateDirect(Math.min(chunk, c.length - off)).put(c, off,
                        Math.min(chunk, c.length - off)).flip();
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
        if (!"15.4".equals(in.attributes().get("server"))) {
            throw new IOException("attribute missing: " + in.attributes());
        }
        Path staging = target.resolveSibling(target.getFileName() + ".staging");
        DirectoryPart.deleteTree(staging);
        Files.createDirectories(staging);
        Map<String, Integer> nextChunk = new HashMap<>();
        byte[] buf = new byte[4096];
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
                    int n;
                    while ((n = c.read(buf)) > 0) {
                        o.write(buf, 0, n);
                    }
                }
            }
        } catch (IOException | RuntimeException failure) {
            DirectoryPart.deleteTree(staging); // a prepare that fails leaves nothing behind
            throw failure;
        }
        if (failPrepare != null) {
            DirectoryPart.deleteTree(staging);
            throw new IOException(failPrepare);
        }
        return new PreparedRestore() {
            @Override
            public void commit() throws IOException {
                if (failCommit != null) {
                    throw new IOException(failCommit);
                }
                Path old = target.resolveSibling(target.getFileName() + ".old");
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
