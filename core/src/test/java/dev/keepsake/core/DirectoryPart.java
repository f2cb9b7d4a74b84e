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
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real in-test part: backs up a directory tree (files, directories, symlinks) and restores it into a target
 * directory by staging next to it and swapping on commit. Counts its phases; can be told to fail.
 */
final class DirectoryPart implements BackupJob, RestoreJob {

    final String name;
    final Path source;
    final Path target;
    final AtomicInteger prepares = new AtomicInteger();
    final AtomicInteger commits = new AtomicInteger();
    final AtomicInteger aborts = new AtomicInteger();
    /** When true, the previous content stays aside until close() so abort() after commit() puts it back. */
    volatile boolean undoable;
    final AtomicInteger closes = new AtomicInteger();
    volatile String failPrepare;
    volatile String failCommit;
    volatile String failWrite;

    DirectoryPart(String name, Path source, Path target) {
        this.name = name;
        this.source = source;
        this.target = target;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "directory";
    }

    @Override
    public Optional<String> schemaVersion(JobContext context) {
        return Optional.of("dir-1");
    }

    @Override
    public void write(PartWriter out, JobContext context) throws IOException {
        out.putAttribute("root", source.getFileName().toString());
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(source)) {
            paths = walk.filter(p -> !p.equals(source)).sorted().toList();
        }
        int n = 0;
        for (Path p : paths) {
            String rel = source.relativize(p).toString();
            FileTime mtime = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
            if (Files.isSymbolicLink(p)) {
                out.addEntry(ArchiveEntry.symlink(rel, Files.readSymbolicLink(p).toString(), mtime.toInstant())).close();
            } else if (Files.isDirectory(p)) {
                out.addEntry(ArchiveEntry.directory(rel, 0755, mtime.toInstant())).close();
            } else {
                long size = Files.size(p);
                try (OutputStream o = out.addEntry(ArchiveEntry.file(rel, size, 0640, mtime.toInstant()))) {
                    Files.copy(p, o);
                }
            }
            if (failWrite != null && ++n == 2) {
                throw new IOException(failWrite);
            }
        }
    }

    @Override
    public PreparedRestore prepare(PartReader in, JobContext context) throws IOException {
        prepares.incrementAndGet();
        Path staging = target.resolveSibling(target.getFileName() + ".staging");
        deleteTree(staging);
        Files.createDirectories(staging);
        try {
            if (!in.partName().equals(name) || !"src".equals(in.attributes().get("root"))
                    || !in.schemaVersion().equals(Optional.of("dir-1"))) {
                throw new IOException("unexpected part metadata " + in.attributes() + " " + in.schemaVersion());
            }
            for (Optional<PartReader.Entry> e = in.next(); e.isPresent(); e = in.next()) {
                ArchiveEntry a = e.get().entry();
                Path dest = staging.resolve(a.name());
                switch (a.type()) {
                    case DIRECTORY -> Files.createDirectories(dest);
                    case SYMLINK -> Files.createSymbolicLink(dest, Path.of(a.linkTarget()));
                    case FILE -> {
                        try (InputStream content = e.get().content()) {
                            Files.copy(content, dest);
                        }
                        Files.setLastModifiedTime(dest, FileTime.from(a.lastModified()));
                    }
                    default -> throw new IOException("unexpected entry type " + a.type());
                }
            }
            if (failPrepare != null) {
                throw new IOException(failPrepare);
            }
        } catch (IOException | RuntimeException e) {
            deleteTree(staging);
            throw e;
        }
        boolean keepOld = undoable;
        Path old = target.resolveSibling(target.getFileName() + ".old");
        return new PreparedRestore() {
            private boolean committed;

            @Override
            public void commit() throws IOException {
                if (failCommit != null) {
                    throw new IOException(failCommit);
                }
                if (Files.exists(target)) {
                    Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                }
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                if (!keepOld) {
                    deleteTree(old);
                }
                committed = true;
                commits.incrementAndGet();
            }

            @Override
            public boolean canUndoCommit() {
                return keepOld;
            }

            @Override
            public void abort() throws IOException {
                aborts.incrementAndGet();
                if (committed) {
                    deleteTree(target);
                    if (Files.exists(old)) {
                        Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
                    }
                    committed = false;
                } else {
                    deleteTree(staging);
                }
            }

            @Override
            public void close() throws IOException {
                closes.incrementAndGet();
                if (committed) {
                    deleteTree(old);
                }
            }
        };
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
