package dev.keepsake.volume.internal.restore;

import dev.keepsake.core.ArchiveVerificationException;
import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartReader;
import dev.keepsake.volume.VolumeRestoreException;
import dev.keepsake.volume.internal.EntryNames;
import dev.keepsake.volume.internal.LinkResolver;
import dev.keepsake.volume.internal.VolumeSettings;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Extracts one volume part into a fresh staging directory that only this process can enter (0700). Every entry is
 * validated before anything is written for it; files are created with {@code CREATE_NEW} and {@code NOFOLLOW_LINKS}
 * (0600 while written, their mode afterwards); symbolic links are created last, after every file, so nothing is ever
 * written through one, and only once every link of the part is known and each resolves inside the volume; directory
 * modes and times are set last, deepest first. Content is capped by each entry's declared size, the part's declared
 * total and the configured absolute limit. Not thread-safe.
 */
final class Extraction {

    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_DIR =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> PRIVATE_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final int DEFAULT_DIRECTORY_MODE = ArchiveEntry.DEFAULT_DIRECTORY_MODE;
    private static final int BUFFER_SIZE = 256 * 1024;

    private final VolumeSettings settings;
    private final JobContext context;
    private final Path staging;
    private final int stagingPathBytes;
    private final EntryValidator validator;
    private final byte[] buffer = new byte[BUFFER_SIZE];
    /** Directories in creation order (parents before children), with the mode and time to give them at the end. */
    private final Map<String, DirectoryAttributes> directories = new LinkedHashMap<>();
    private final Map<String, ArchiveEntry> links = new LinkedHashMap<>();
    private final Map<String, String> linkTargets = new HashMap<>();
    /** fsyncs restored files in the background when {@code syncOnRestore}; null otherwise. */
    private ParallelSync sync;
    private long declared;
    private long written;
    private long entries;

    Extraction(VolumeSettings settings, JobContext context, Path staging) {
        this.settings = settings;
        this.context = context;
        this.staging = staging;
        this.stagingPathBytes = EntryNames.utf8Length(staging.toString());
        this.validator = new EntryValidator(settings.name(), settings.maxDepth());
    }

    void run(PartReader in) throws IOException {
        if (!settings.syncOnRestore()) {
            extract(in);
            return;
        }
        try (ParallelSync syncer = new ParallelSync(settings.name())) {
            sync = syncer;
            extract(in);
            syncer.awaitAll();
            TreeDeleter.syncDirectory(staging);
        } finally {
            sync = null;
        }
    }

    private void extract(PartReader in) throws IOException {
        long declaredTotal = in.totalBytes();
        Optional<PartReader.Entry> next;
        while ((next = in.next()).isPresent()) {
            checkInterrupted();
            ArchiveEntry entry = next.get().entry();
            List<String> parents = validator.accept(entry);
            entries++;
            declared += entry.size();
            if (declared > declaredTotal) {
                throw validator.refuse(entry.name(), "the part's entries declare more than its total of "
                        + declaredTotal + " bytes");
            }
            if (declared > settings.maxRestoreBytes()) {
                throw new VolumeRestoreException("Volume '" + settings.name() + "': the archive holds more than the "
                        + "configured maxRestoreBytes of " + settings.maxRestoreBytes() + " bytes for this volume "
                        + "(at entry '" + EntryNames.display(entry.name()) + "'). Raise the limit if it is trusted.");
            }
            int fullLength = stagingPathBytes + 1 + EntryNames.utf8Length(entry.name());
            if (fullLength >= VolumeSettings.MAX_PATH_BYTES) {
                throw validator.refuse(entry.name(), "restored below " + settings.path() + " its path would be "
                        + fullLength + " bytes, more than Linux allows (" + (VolumeSettings.MAX_PATH_BYTES - 1) + ")");
            }
            for (String parent : parents) {
                Path dir = resolve(parent);
                Files.createDirectory(dir, PRIVATE_DIR);
                directories.put(parent, new DirectoryAttributes(dir, DEFAULT_DIRECTORY_MODE, null));
            }
            switch (entry.type()) {
                case FILE -> writeFile(entry, next.get().content());
                case DIRECTORY -> {
                    Path dir = resolve(entry.name());
                    DirectoryAttributes implicit = directories.get(entry.name());
                    if (implicit == null) {
                        Files.createDirectory(dir, PRIVATE_DIR);
                    }
                    directories.put(entry.name(), new DirectoryAttributes(dir, entry.mode() & 0777,
                            entry.lastModified()));
                }
                case SYMLINK -> {
                    links.put(entry.name(), entry);
                    linkTargets.put(entry.name(), entry.linkTarget());
                }
                default -> throw new IllegalStateException("validated type " + entry.type());
            }
        }
        if (entries != in.entryCount() || declared != declaredTotal) {
            throw new ArchiveVerificationException("Volume '" + settings.name() + "': the part holds " + entries
                    + " entries and " + declared + " bytes, but the manifest declares " + in.entryCount()
                    + " entries and " + declaredTotal + " bytes. The archive is damaged; nothing was changed.");
        }
        createLinks();
        finishDirectories();
    }

    private Path resolve(String name) {
        Path p = staging.resolve(name);
        if (!p.normalize().startsWith(staging) || p.equals(staging)) {
            // unreachable after EntryValidator; kept so that a validator bug cannot write outside the staging
            throw validator.refuse(name, "it resolves outside the staging directory");
        }
        return p;
    }

    private void writeFile(ArchiveEntry entry, InputStream content) throws IOException {
        Path path = resolve(entry.name());
        long size = entry.size();
        FileChannel ch = FileChannel.open(path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                NOFOLLOW), PRIVATE_FILE);
        boolean handedOver = false;
        try {
            long position = 0;
            while (position < size) {
                checkInterrupted();
                int want = (int) Math.min(buffer.length, size - position);
                int n = content.read(buffer, 0, want);
                if (n < 0) {
                    throw validator.refuse(entry.name(), "its content ends after " + position + " of " + size
                            + " bytes (truncated archive)");
                }
                written += n;
                if (written > settings.maxRestoreBytes()) {
                    throw new VolumeRestoreException("Volume '" + settings.name() + "': the restore wrote more "
                            + "than the configured maxRestoreBytes of " + settings.maxRestoreBytes() + " bytes (at "
                            + "entry '" + EntryNames.display(entry.name()) + "').");
                }
                if (!allZero(buffer, n)) {
                    ByteBuffer bb = ByteBuffer.wrap(buffer, 0, n);
                    long at = position;
                    while (bb.hasRemaining()) {
                        at += ch.write(bb, at);
                    }
                } // else: leave a hole, the file system reads it back as zeros
                position += n;
                context.addProgress(n);
            }
            if (content.read() >= 0) {
                throw validator.refuse(entry.name(), "its content is longer than its declared size of " + size
                        + " bytes");
            }
            if (ch.size() < size) {
                ch.write(ByteBuffer.wrap(new byte[1]), size - 1); // trailing hole: fix the length
            }
            PosixFileAttributes result = Files.readAttributes(path, PosixFileAttributes.class, NOFOLLOW);
            if (!result.isRegularFile() || result.size() != size) {
                throw new VolumeRestoreException("Volume '" + settings.name() + "': restored file '"
                        + EntryNames.display(entry.name()) + "' has " + result.size() + " bytes instead of " + size
                        + "; the staging area was changed by someone else.");
            }
            PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class, NOFOLLOW);
            view.setPermissions(permissions(entry.mode()));
            view.setTimes(FileTime.from(entry.lastModified()), null, null);
            if (sync != null) {
                // the open descriptor is synced: the file's new mode may forbid opening it again (e.g. 0200)
                sync.submit(ch);
                handedOver = true;
            }
        } finally {
            if (!handedOver) {
                ch.close();
            }
        }
    }

    private static boolean allZero(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Links last: every file and directory exists, so no later write can go through a link. */
    private void createLinks() throws IOException {
        for (ArchiveEntry link : links.values()) {
            String problem = LinkResolver.escapeProblem(link.name(), link.linkTarget(), linkTargets::get);
            if (problem != null) {
                throw validator.refuse(link.name(), problem + " (target '"
                        + EntryNames.display(link.linkTarget()) + "')");
            }
        }
        for (ArchiveEntry link : links.values()) {
            checkInterrupted();
            Path path = resolve(link.name());
            Files.createSymbolicLink(path, path.getFileSystem().getPath(link.linkTarget()));
            setLinkTime(path, link.lastModified());
        }
    }

    private static void setLinkTime(Path link, Instant time) {
        try {
            Files.getFileAttributeView(link, BasicFileAttributeView.class, NOFOLLOW)
                    .setTimes(FileTime.from(time), null, null);
        } catch (IOException | UnsupportedOperationException e) {
            // cosmetic: a link's own time is not used by anything; some platforms cannot set it without following
        }
    }

    private void finishDirectories() throws IOException {
        List<DirectoryAttributes> deepestFirst = new ArrayList<>(directories.values());
        for (int i = deepestFirst.size() - 1; i >= 0; i--) {
            DirectoryAttributes d = deepestFirst.get(i);
            PosixFileAttributeView view = Files.getFileAttributeView(d.path, PosixFileAttributeView.class, NOFOLLOW);
            if (sync != null) {
                sync.submit(FileChannel.open(d.path, StandardOpenOption.READ)); // before its mode may forbid it
            }
            if (d.modified != null) {
                view.setTimes(FileTime.from(d.modified), null, null);
            }
            view.setPermissions(permissions(d.mode));
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & (1 << (8 - p.ordinal()))) != 0) {
                set.add(p);
            }
        }
        return set;
    }

    private static void checkInterrupted() throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("volume restore interrupted");
        }
    }

    private record DirectoryAttributes(Path path, int mode, Instant modified) {
    }

}
