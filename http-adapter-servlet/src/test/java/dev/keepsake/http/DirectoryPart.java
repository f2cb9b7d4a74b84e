package dev.keepsake.http;

import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.BackupJob;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartReader;
import dev.keepsake.core.spi.PartWriter;
import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.core.spi.RestoreJob;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * A small real part for the tests: backs up the files of a directory (real bytes) and restores them by staging a
 * copy and swapping directories on commit. Optionally holds a backup at its start until a gate opens, so that tests
 * can keep an operation running deterministically.
 */
final class DirectoryPart implements BackupJob, RestoreJob {

    private final String name;
    private final Path dir;
    private final AtomicReference<CountDownLatch> gate = new AtomicReference<>();
    private final AtomicReference<CountDownLatch> started = new AtomicReference<>(new CountDownLatch(1));

    DirectoryPart(String name, Path dir) {
        this.name = name;
        this.dir = dir;
    }

    /** The next backups wait at their start until the returned latch is counted down. */
    CountDownLatch holdBackups() {
        CountDownLatch l = new CountDownLatch(1);
        started.set(new CountDownLatch(1));
        gate.set(l);
        return l;
    }

    /** Counted down when a backup reached this part (re-armed by {@link #holdBackups()}). */
    CountDownLatch started() {
        return started.get();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "test-directory";
    }

    @Override
    public void write(PartWriter out, JobContext context) throws IOException {
        started.get().countDown();
        CountDownLatch g = gate.get();
        if (g != null) {
            try {
                g.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("backup interrupted while held by the test gate");
            }
        }
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = s.filter(p -> !p.equals(dir)).sorted().toList();
        }
        for (Path p : all) {
            String rel = dir.relativize(p).toString().replace('\\', '/');
            if (Files.isDirectory(p)) {
                out.addEntry(ArchiveEntry.directory(rel, ArchiveEntry.DEFAULT_DIRECTORY_MODE,
                        Files.getLastModifiedTime(p).toInstant())).close();
            } else {
                long size = Files.size(p);
                try (OutputStream o = out.addEntry(ArchiveEntry.file(rel, size, ArchiveEntry.DEFAULT_FILE_MODE,
                        Files.getLastModifiedTime(p).toInstant())); InputStream in = Files.newInputStream(p)) {
                    in.transferTo(o);
                }
                context.addProgress(size);
            }
        }
    }

    @Override
    public PreparedRestore prepare(PartReader in, JobContext context) throws IOException {
        Path staging = Files.createTempDirectory(dir.getParent(), ".staging-");
        try {
            Optional<PartReader.Entry> e;
            while ((e = in.next()).isPresent()) {
                ArchiveEntry entry = e.get().entry();
                Path target = staging.resolve(entry.name()).normalize();
                if (!target.startsWith(staging)) {
                    throw new IOException("entry escapes the directory: " + entry.name());
                }
                if (entry.type() == ArchiveEntry.Type.DIRECTORY) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(e.get().content(), target);
                }
            }
        } catch (IOException | RuntimeException ex) {
            deleteTree(staging);
            throw ex;
        }
        return new PreparedRestore() {
            @Override
            public void commit() throws IOException {
                Path old = dir.resolveSibling(dir.getFileName() + ".old");
                deleteTree(old);
                if (Files.exists(dir)) {
                    Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
                }
                Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(old);
            }

            @Override
            public void abort() throws IOException {
                deleteTree(staging);
            }
        };
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        }
    }
}
