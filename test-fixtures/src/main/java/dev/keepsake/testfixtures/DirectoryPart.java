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
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * A real part for engine-level tests: backs up a directory tree (files with their bytes, directories, symbolic links)
 * and restores it into a target directory by staging the whole tree next to it, in {@code <target>.staging}, and
 * swapping directories on commit ({@code <target>.old} holds the previous content during the swap). Nothing is
 * mocked: the bytes go through the engine's real archive.
 *
 * <p>What a test can do with it:
 * <ul>
 *   <li><b>observe</b> the engine's calls: {@link #prepares}, {@link #commits}, {@link #aborts} and {@link #closes}
 *       count them;</li>
 *   <li><b>inject failures</b>: {@link #failWrite}, {@link #failPrepare}, {@link #failCommit};</li>
 *   <li>make its commit <b>undoable</b> ({@link #undoableCommit}): the previous content then stays aside until
 *       {@link PreparedRestore#close()}, so that an abort after commit puts it back;</li>
 *   <li><b>hold</b> backups at their start until the test lets them go ({@link #holdBackups()},
 *       {@link #started()}), to keep an operation running deterministically.</li>
 * </ul>
 *
 * <p>It records the attribute {@value #ROOT_ATTRIBUTE} (the source directory's file name) and the schema version
 * {@value #SCHEMA_VERSION}; {@link #prepare} refuses a part with another name, root or schema version, so a test sees
 * the manifest's metadata survive the round trip.
 *
 * <p><b>Thread-safety:</b> safe for what tests do: configure it and read its counters from the test thread while the
 * engine runs it on its own thread (all its state is volatile or atomic). Like any part, it runs one backup or restore
 * at a time.
 */
public final class DirectoryPart implements BackupJob, RestoreJob {

    /** The part type recorded in the manifest. */
    public static final String TYPE = "directory";
    /** The schema version the part reports, and requires on restore. */
    public static final String SCHEMA_VERSION = "dir-1";
    /** Attribute holding the file name of the backed-up directory. */
    public static final String ROOT_ATTRIBUTE = "root";

    /** Calls of {@link #prepare}. */
    public final AtomicInteger prepares = new AtomicInteger();
    /** Successful commits. */
    public final AtomicInteger commits = new AtomicInteger();
    /** Calls of {@link PreparedRestore#abort()}, before or after a commit. */
    public final AtomicInteger aborts = new AtomicInteger();
    /** Calls of {@link PreparedRestore#close()}. */
    public final AtomicInteger closes = new AtomicInteger();

    private final String name;
    private final Path source;
    private final Path target;
    private volatile String failWrite;
    private volatile String failPrepare;
    private volatile String failCommit;
    private volatile boolean undoableCommit;
    private final AtomicReference<CountDownLatch> gate = new AtomicReference<>();
    private final AtomicReference<CountDownLatch> started = new AtomicReference<>(new CountDownLatch(1));

    /** A part that backs up {@code dir} and restores into it. */
    public DirectoryPart(String name, Path dir) {
        this(name, dir, dir);
    }

    /** A part that backs up {@code source} and restores into {@code target} (which it creates or replaces). */
    public DirectoryPart(String name, Path source, Path target) {
        this.name = Objects.requireNonNull(name, "name");
        this.source = Objects.requireNonNull(source, "source");
        this.target = Objects.requireNonNull(target, "target");
    }

    /**
     * From now on, backups fail with an {@link IOException} carrying {@code message} after writing their second
     * entry (so the archive is already partly written); {@code null} turns this off.
     */
    public DirectoryPart failWrite(String message) {
        this.failWrite = message;
        return this;
    }

    /**
     * From now on, {@link #prepare} fails with an {@link IOException} carrying {@code message} after staging every
     * entry (and deletes its staging, as a part must); {@code null} turns this off.
     */
    public DirectoryPart failPrepare(String message) {
        this.failPrepare = message;
        return this;
    }

    /**
     * From now on, {@link PreparedRestore#commit()} fails with an {@link IOException} carrying {@code message} before
     * changing anything; {@code null} turns this off.
     */
    public DirectoryPart failCommit(String message) {
        this.failCommit = message;
        return this;
    }

    /**
     * Whether restores prepared from now on {@linkplain PreparedRestore#canUndoCommit() can undo their commit}: the
     * previous content then stays in {@code <target>.old} until {@link PreparedRestore#close()}. Default false: the
     * previous content is deleted on commit.
     */
    public DirectoryPart undoableCommit(boolean undoable) {
        this.undoableCommit = undoable;
        return this;
    }

    /**
     * The next backups wait at their start until the returned latch is counted down (interruption ends the wait with
     * an {@link InterruptedIOException}). Re-arms {@link #started()}.
     */
    public CountDownLatch holdBackups() {
        CountDownLatch release = new CountDownLatch(1);
        started.set(new CountDownLatch(1));
        gate.set(release);
        return release;
    }

    /** Counted down when a backup reaches this part, before any hold (re-armed by {@link #holdBackups()}). */
    public CountDownLatch started() {
        return started.get();
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
        started.get().countDown();
        CountDownLatch hold = gate.get();
        if (hold != null) {
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("backup interrupted while held by the test");
            }
        }
        out.putAttribute(ROOT_ATTRIBUTE, source.getFileName().toString());
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(source)) {
            paths = walk.filter(p -> !p.equals(source)).sorted().toList();
        }
        int written = 0;
        for (Path p : paths) {
            String rel = source.relativize(p).toString().replace('\\', '/');
            FileTime mtime = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
            if (Files.isSymbolicLink(p)) {
                out.addEntry(ArchiveEntry.symlink(rel, Files.readSymbolicLink(p).toString(), mtime.toInstant())).close();
            } else if (Files.isDirectory(p)) {
                out.addEntry(ArchiveEntry.directory(rel, ArchiveEntry.DEFAULT_DIRECTORY_MODE, mtime.toInstant())).close();
            } else {
                long size = Files.size(p);
                try (OutputStream o = out.addEntry(ArchiveEntry.file(rel, size, ArchiveEntry.DEFAULT_FILE_MODE,
                        mtime.toInstant()))) {
                    Files.copy(p, o);
                }
                context.addProgress(size);
            }
            String failure = failWrite;
            if (failure != null && ++written == 2) {
                throw new IOException(failure);
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
            String root = source.getFileName().toString();
            if (!in.partName().equals(name) || !root.equals(in.attributes().get(ROOT_ATTRIBUTE))
                    || !in.schemaVersion().equals(Optional.of(SCHEMA_VERSION))) {
                throw new IOException("unexpected part metadata: " + in.partName() + " " + in.attributes() + " "
                        + in.schemaVersion());
            }
            for (Optional<PartReader.Entry> e = in.next(); e.isPresent(); e = in.next()) {
                ArchiveEntry entry = e.get().entry();
                Path dest = staging.resolve(entry.name()).normalize();
                if (!dest.startsWith(staging) || dest.equals(staging)) {
                    throw new IOException("entry escapes the directory: " + entry.name());
                }
                switch (entry.type()) {
                    case DIRECTORY -> Files.createDirectories(dest);
                    case SYMLINK -> {
                        Files.createDirectories(dest.getParent());
                        Files.createSymbolicLink(dest, Path.of(entry.linkTarget()));
                    }
                    case FILE -> {
                        Files.createDirectories(dest.getParent());
                        try (InputStream content = e.get().content()) {
                            Files.copy(content, dest);
                        }
                        Files.setLastModifiedTime(dest, FileTime.from(entry.lastModified()));
                    }
                    default -> throw new IOException("unexpected entry type " + entry.type() + ": " + entry.name());
                }
            }
            String failure = failPrepare;
            if (failure != null) {
                throw new IOException(failure);
            }
        } catch (IOException | RuntimeException e) {
            deleteTree(staging); // a prepare that fails leaves nothing behind
            throw e;
        }
        return new Staged(staging, undoableCommit);
    }

    /** A staged tree, swapped in on commit. */
    private final class Staged implements PreparedRestore {
        private final Path staging;
        private final Path old;
        private final boolean keepOld;
        private volatile boolean committed;

        Staged(Path staging, boolean keepOld) {
            this.staging = staging;
            this.old = target.resolveSibling(target.getFileName() + ".old");
            this.keepOld = keepOld;
        }

        @Override
        public void commit() throws IOException {
            String failure = failCommit;
            if (failure != null) {
                throw new IOException(failure);
            }
            deleteTree(old);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
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
                if (Files.exists(old, LinkOption.NOFOLLOW_LINKS)) {
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
    }

    /** Deletes {@code path} and everything below it, without following links; nothing to do when it is absent. */
    public static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
