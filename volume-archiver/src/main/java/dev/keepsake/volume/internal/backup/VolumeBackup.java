package dev.keepsake.volume.internal.backup;

import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartWriter;
import dev.keepsake.volume.ChangedFilePolicy;
import dev.keepsake.volume.SymlinkPolicy;
import dev.keepsake.volume.VolumeBackupException;
import dev.keepsake.volume.internal.EntryNames;
import dev.keepsake.volume.internal.LinkResolver;
import dev.keepsake.volume.internal.PartAttributes;
import dev.keepsake.volume.internal.VolumeSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One backup of one volume: walks the tree in sorted order without following links and streams it into the part.
 * Memory stays bounded by one 256 KiB buffer plus the names of one directory per level. Not thread-safe: one per
 * backup.
 */
public final class VolumeBackup {

    private static final Logger LOG = LoggerFactory.getLogger(VolumeBackup.class);
    private static final int BUFFER_SIZE = 256 * 1024;
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final VolumeSettings settings;
    private final JobContext context;
    private final PathFilter filter;
    private final ChangedFilePolicy changedFiles;
    private final byte[] buffer = new byte[BUFFER_SIZE];
    private final List<PendingDirectory> pending = new ArrayList<>();
    private Path root;
    private PartWriter out;
    private long files;
    private long directories;
    private long symlinks;
    private long bytes;
    private long skipped;

    public VolumeBackup(VolumeSettings settings, JobContext context) {
        this.settings = settings;
        this.context = context;
        this.filter = new PathFilter(settings.includes(), settings.excludes());
        this.changedFiles = context.applicationQuiesced() ? ChangedFilePolicy.accept() : settings.changedFiles();
    }

    /** Writes the whole volume into {@code out}. */
    public void write(PartWriter out) throws IOException {
        this.out = out;
        Path configured = settings.path();
        if (!Files.isDirectory(configured)) {
            throw new VolumeBackupException("Volume '" + settings.name() + "': " + configured
                    + " is not a directory (or does not exist). Create it or fix the configured path.");
        }
        root = configured.toRealPath();
        PosixFileAttributes rootAttributes = Files.readAttributes(root, PosixFileAttributes.class, NOFOLLOW);
        out.putAttribute(PartAttributes.FORMAT, PartAttributes.CURRENT_FORMAT);
        out.putAttribute(PartAttributes.ROOT_MODE, Integer.toOctalString(mode(rootAttributes)));
        out.putAttribute(PartAttributes.ROOT_MODIFIED, rootAttributes.lastModifiedTime().toInstant().toString());
        context.phase("backing up volume " + settings.name());
        DirectoryStream<Path> rootStream;
        try {
            rootStream = Files.newDirectoryStream(root);
        } catch (AccessDeniedException e) {
            throw unreadable("", e);
        }
        try (rootStream) {
            walk(root, rootStream, "", filter.included(""));
        }
        out.putAttribute(PartAttributes.FILES, Long.toString(files));
        out.putAttribute(PartAttributes.DIRECTORIES, Long.toString(directories));
        out.putAttribute(PartAttributes.SYMLINKS, Long.toString(symlinks));
        out.putAttribute(PartAttributes.BYTES, Long.toString(bytes));
        out.putAttribute(PartAttributes.SKIPPED, Long.toString(skipped));
        LOG.debug("{} - volume '{}': {} files, {} directories, {} links, {} bytes, {} skipped", context.operationId(),
                settings.name(), files, directories, symlinks, bytes, skipped);
    }

    /**
     * Walks one directory. On Linux {@code stream} is a {@link SecureDirectoryStream}: every child is examined and
     * opened relative to the directory's open descriptor with {@code O_NOFOLLOW} (fstatat/openat), so a directory
     * swapped for a link while the backup runs cannot make it read outside the volume.
     */
    private void walk(Path dir, DirectoryStream<Path> stream, String relative, boolean subtreeIncluded)
            throws IOException {
        List<String> names = new ArrayList<>();
        try {
            for (Path p : stream) {
                names.add(p.getFileName().toString());
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        names.sort(null);
        SecureDirectoryStream<Path> secure = stream instanceof SecureDirectoryStream<Path> s ? s : null;
        for (String name : names) {
            checkInterrupted();
            if (relative.isEmpty() && EntryNames.isInternalName(name)) {
                continue; // left-overs of an interrupted restore, never part of the volume's content
            }
            String child = relative.isEmpty() ? name : relative + "/" + name;
            Child ref = new Child(dir.resolve(name), secure, dir.getFileSystem().getPath(name));
            PosixFileAttributes attributes;
            try {
                attributes = ref.attributes();
            } catch (NoSuchFileException e) {
                vanished(child);
                continue;
            }
            if (filter.excluded(child)) {
                continue;
            }
            boolean included = subtreeIncluded || filter.included(child);
            if (attributes.isDirectory()) {
                checkName(child);
                DirectoryStream<Path> childStream = openDirectory(ref, child);
                if (childStream == null) {
                    continue;
                }
                PendingDirectory self = new PendingDirectory(child, mode(attributes),
                        attributes.lastModifiedTime().toInstant());
                pending.add(self);
                if (included) {
                    flushPending();
                }
                try (childStream) {
                    walk(ref.path(), childStream, child, included);
                }
                if (!pending.isEmpty() && pending.get(pending.size() - 1) == self) {
                    pending.remove(pending.size() - 1);
                }
            } else if (!included) {
                continue;
            } else if (attributes.isRegularFile()) {
                checkName(child);
                flushPending();
                backUpFile(ref, child, attributes);
            } else if (attributes.isSymbolicLink()) {
                checkName(child);
                backUpLink(ref.path(), child, attributes);
            } else {
                skipped++;
                LOG.warn("{} - volume '{}': skipping '{}', a {}: only files, directories and links are backed up",
                        context.operationId(), settings.name(), EntryNames.display(child), specialKind(ref.path()));
            }
        }
    }

    /** Opens a subdirectory without following links; null when it vanished or was replaced (policy permitting). */
    private DirectoryStream<Path> openDirectory(Child ref, String relative) throws IOException {
        try {
            return ref.secure() != null
                    ? ref.secure().newDirectoryStream(ref.name(), NOFOLLOW)
                    : Files.newDirectoryStream(ref.path());
        } catch (NoSuchFileException e) {
            vanished(relative);
            return null;
        } catch (AccessDeniedException e) {
            throw unreadable(relative, e);
        } catch (NotDirectoryException e) {
            changed(relative, "it was replaced by something that is not a directory while being backed up");
            return null;
        } catch (FileSystemException e) {
            // ELOOP: replaced by a link between listing and opening
            changed(relative, "it was replaced while being backed up (" + e.getReason() + ")");
            return null;
        }
    }

    private VolumeBackupException unreadable(String relative, IOException e) {
        return new VolumeBackupException("Volume '" + settings.name() + "': cannot read '"
                + EntryNames.display(relative.isEmpty() ? "." : relative)
                + "' (permission denied). Give the service's user read access or exclude it.", e);
    }

    /**
     * One child of a directory being walked: its path (for messages and the platforms without secure directory
     * streams) and, on Linux, the open parent directory and the child's name relative to it.
     */
    private record Child(Path path, SecureDirectoryStream<Path> secure, Path name) {

        PosixFileAttributes attributes() throws IOException {
            if (secure != null) {
                return secure.getFileAttributeView(name, PosixFileAttributeView.class, NOFOLLOW).readAttributes();
            }
            return Files.readAttributes(path, PosixFileAttributes.class, NOFOLLOW);
        }

        SeekableByteChannel open() throws IOException {
            Set<OpenOption> options = Set.of(StandardOpenOption.READ, NOFOLLOW);
            return secure != null ? secure.newByteChannel(name, options) : Files.newByteChannel(path, options);
        }
    }

    private void flushPending() throws IOException {
        for (PendingDirectory d : pending) {
            try (OutputStream os = out.addEntry(ArchiveEntry.directory(d.name, d.mode, d.modified))) {
                directories++;
            }
        }
        pending.clear();
    }

    private void checkName(String relative) {
        String problem = EntryNames.problem(relative, settings.maxDepth());
        if (problem != null) {
            throw new VolumeBackupException("Volume '" + settings.name() + "': '" + EntryNames.display(relative)
                    + "' cannot be backed up because a restore would refuse it: " + problem
                    + ". Rename it or exclude it.");
        }
    }

    private void backUpLink(Path path, String relative, PosixFileAttributes attributes) throws IOException {
        String target;
        try {
            target = Files.readSymbolicLink(path).toString();
        } catch (NoSuchFileException | NotLinkException e) {
            vanished(relative);
            return;
        }
        String problem = LinkResolver.escapeProblem(relative, target, this::diskLink);
        if (problem == null) {
            problem = realPathProblem(path);
        }
        if (problem != null) {
            if (settings.symlinks() == SymlinkPolicy.SKIP_OUTSIDE) {
                skipped++;
                LOG.warn("{} - volume '{}': skipping symbolic link '{}' -> '{}': {}", context.operationId(),
                        settings.name(), EntryNames.display(relative), EntryNames.display(target), problem);
                return;
            }
            throw new VolumeBackupException("Volume '" + settings.name() + "': symbolic link '"
                    + EntryNames.display(relative) + "' -> '" + EntryNames.display(target) + "' cannot be backed up: "
                    + problem + ". Only relative links that stay inside the volume can be restored safely. Remove the"
                    + " link, exclude it, or configure symlinks(SymlinkPolicy.SKIP_OUTSIDE) to skip such links.");
        }
        flushPending();
        try (OutputStream os = out.addEntry(ArchiveEntry.symlink(relative, target,
                attributes.lastModifiedTime().toInstant()))) {
            symlinks++;
        }
    }

    /** After the textual resolution: where the link really leads today, if it exists. */
    private String realPathProblem(Path link) throws IOException {
        try {
            Path real = link.toRealPath();
            return real.startsWith(root) ? null : "the link resolves to " + real + ", outside the volume";
        } catch (NoSuchFileException e) {
            return null; // dangling: the textual resolution above already decided it stays inside
        } catch (FileSystemException e) {
            return "the link cannot be resolved (" + e.getReason() + ")";
        }
    }

    private String diskLink(String relative) throws IOException {
        Path p = root.resolve(relative);
        if (!Files.isSymbolicLink(p)) {
            return null;
        }
        return Files.readSymbolicLink(p).toString();
    }

    private void backUpFile(Child ref, String relative, PosixFileAttributes listed) throws IOException {
        if (changedFiles.action() == ChangedFilePolicy.Action.RETRY) {
            new SpoolingReader(ref, relative).backUp();
            return;
        }
        FileState before = FileState.of(ref.path(), listed);
        SeekableByteChannel channel;
        try {
            channel = ref.open();
        } catch (NoSuchFileException e) {
            vanished(relative);
            return;
        } catch (FileSystemException e) {
            // ELOOP: replaced by a link after listing
            changed(relative, "it was replaced while being backed up (" + e.getReason() + ")");
            return;
        }
        long size = before.size;
        long read;
        try (channel; OutputStream os = out.addEntry(ArchiveEntry.file(relative, size, before.mode,
                before.modified.toInstant()))) {
            read = copy(channel, os, size);
            if (read < size) {
                changed(relative, "it shrank from " + size + " to " + read + " bytes while being read");
                padWithZeros(os, size - read);
            } else if (channel.read(ByteBuffer.allocate(1)) > 0) {
                changed(relative, "it grew beyond " + size + " bytes while being read");
                read = -1;
            }
        }
        files++;
        bytes += size;
        if (read != size) {
            return; // already reported
        }
        FileState after;
        try {
            after = FileState.of(ref.path(), ref.attributes());
        } catch (NoSuchFileException e) {
            changed(relative, "it was deleted while being read");
            return;
        }
        String difference = before.difference(after);
        if (difference != null) {
            changed(relative, difference);
        }
    }

    private long copy(SeekableByteChannel channel, OutputStream os, long size) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(buffer);
        long done = 0;
        while (done < size) {
            checkInterrupted();
            bb.clear();
            bb.limit((int) Math.min(buffer.length, size - done));
            int n = channel.read(bb);
            if (n < 0) {
                break;
            }
            os.write(buffer, 0, n);
            done += n;
            context.addProgress(n);
        }
        return done;
    }

    private void padWithZeros(OutputStream os, long count) throws IOException {
        byte[] zeros = new byte[(int) Math.min(count, BUFFER_SIZE)];
        long left = count;
        while (left > 0) {
            int n = (int) Math.min(left, zeros.length);
            os.write(zeros, 0, n);
            left -= n;
        }
    }

    /** A file that changed under {@code FAIL} fails the backup; otherwise a warning. */
    private void changed(String relative, String how) {
        if (changedFiles.action() == ChangedFilePolicy.Action.FAIL) {
            throw new VolumeBackupException("Volume '" + settings.name() + "': file '" + EntryNames.display(relative)
                    + "' changed while it was backed up: " + how + ". Quiesce the application during backups "
                    + "(a before-backup hook returning true), or configure changedFiles(ChangedFilePolicy.retry(n)) "
                    + "or accept().");
        }
        LOG.warn("{} - volume '{}': file '{}' changed while it was backed up ({}); keeping what was read",
                context.operationId(), settings.name(), EntryNames.display(relative), how);
    }

    private void vanished(String relative) {
        if (changedFiles.action() == ChangedFilePolicy.Action.FAIL) {
            throw new VolumeBackupException("Volume '" + settings.name() + "': '" + EntryNames.display(relative)
                    + "' vanished while the volume was backed up. Quiesce the application during backups "
                    + "(a before-backup hook returning true), or configure changedFiles(ChangedFilePolicy.retry(n)) "
                    + "or accept().");
        }
        skipped++;
        LOG.warn("{} - volume '{}': '{}' vanished while the volume was backed up; left out",
                context.operationId(), settings.name(), EntryNames.display(relative));
    }

    private static void checkInterrupted() throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("volume backup interrupted");
        }
    }

    static int mode(PosixFileAttributes attributes) {
        int mode = 0;
        for (PosixFilePermission p : attributes.permissions()) {
            mode |= 1 << (8 - p.ordinal());
        }
        return mode;
    }

    private static String specialKind(Path path) {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", NOFOLLOW);
            return switch (mode & 0170000) {
                case 0140000 -> "socket";
                case 0010000 -> "FIFO";
                case 0020000 -> "character device";
                case 0060000 -> "block device";
                default -> "special file";
            };
        } catch (IOException | RuntimeException e) {
            return "special file"; // only used for the warning's wording
        }
    }

    private record PendingDirectory(String name, int mode, Instant modified) {
    }

    /** What identifies a version of a file: if any of it differs after reading, the file changed. */
    private record FileState(long size, FileTime modified, FileTime changed, Object key, int mode) {

        static FileState of(Path path, PosixFileAttributes a) throws IOException {
            FileTime ctime;
            try {
                ctime = (FileTime) Files.getAttribute(path, "unix:ctime", NOFOLLOW);
            } catch (UnsupportedOperationException | IllegalArgumentException e) {
                ctime = null; // not a unix file system view: size, mtime and file key still detect changes
            }
            return new FileState(a.size(), a.lastModifiedTime(), ctime, a.fileKey(), VolumeBackup.mode(a));
        }

        String difference(FileState after) {
            if (!Objects.equals(key, after.key)) {
                return "it was replaced by another file";
            }
            if (size != after.size) {
                return "its size changed from " + size + " to " + after.size + " bytes";
            }
            if (!modified.equals(after.modified)) {
                return "its modification time changed from " + modified + " to " + after.modified;
            }
            if (!Objects.equals(changed, after.changed)) {
                return "its status change time changed from " + changed + " to " + after.changed;
            }
            return null;
        }
    }

    /** {@link ChangedFilePolicy.Action#RETRY}: copy to a spool file until a copy is consistent, then stream it. */
    private final class SpoolingReader {
        private final Child ref;
        private final String relative;

        SpoolingReader(Child ref, String relative) {
            this.ref = ref;
            this.relative = relative;
        }

        void backUp() throws IOException {
            Path spool = Files.createTempFile(settings.spoolDirectory(), ".keepsake-spool-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                String lastDifference = null;
                for (int attempt = 0; attempt <= changedFiles.retries(); attempt++) {
                    PosixFileAttributes listed;
                    try {
                        listed = ref.attributes();
                    } catch (NoSuchFileException e) {
                        skipVanished();
                        return;
                    }
                    if (!listed.isRegularFile()) {
                        lastDifference = "it is no longer a regular file";
                        continue;
                    }
                    FileState before = FileState.of(ref.path(), listed);
                    long read;
                    try (SeekableByteChannel in = ref.open();
                         OutputStream spoolOut = Files.newOutputStream(spool, StandardOpenOption.TRUNCATE_EXISTING,
                                 StandardOpenOption.WRITE)) {
                        read = copy(in, spoolOut, before.size);
                        if (read == before.size && in.read(ByteBuffer.allocate(1)) > 0) {
                            read = -1;
                        }
                    } catch (NoSuchFileException e) {
                        skipVanished();
                        return;
                    }
                    FileState after;
                    try {
                        after = FileState.of(ref.path(), ref.attributes());
                    } catch (NoSuchFileException e) {
                        skipVanished();
                        return;
                    }
                    lastDifference = read != before.size ? "its size changed while being read" : before.difference(after);
                    if (lastDifference == null) {
                        stream(spool, before);
                        return;
                    }
                    LOG.debug("{} - volume '{}': file '{}' changed while being read ({}), attempt {} of {}",
                            context.operationId(), settings.name(), EntryNames.display(relative), lastDifference,
                            attempt + 1, changedFiles.retries() + 1);
                }
                throw new VolumeBackupException("Volume '" + settings.name() + "': file '"
                        + EntryNames.display(relative) + "' kept changing while it was backed up ("
                        + lastDifference + ", " + (changedFiles.retries() + 1) + " attempts). Quiesce the application "
                        + "during backups (a before-backup hook returning true) or configure more retries.");
            } finally {
                Files.deleteIfExists(spool);
            }
        }

        private void skipVanished() {
            skipped++;
            LOG.warn("{} - volume '{}': file '{}' vanished while the volume was backed up; left out",
                    context.operationId(), settings.name(), EntryNames.display(relative));
        }

        private void stream(Path spool, FileState state) throws IOException {
            // the spool's progress was counted while copying; count the archive pass too would double it
            try (SeekableByteChannel in = Files.newByteChannel(spool, StandardOpenOption.READ);
                 OutputStream os = out.addEntry(ArchiveEntry.file(relative, state.size, state.mode,
                         state.modified.toInstant()))) {
                ByteBuffer bb = ByteBuffer.wrap(buffer);
                long done = 0;
                while (done < state.size) {
                    checkInterrupted();
                    bb.clear();
                    bb.limit((int) Math.min(buffer.length, state.size - done));
                    int n = in.read(bb);
                    if (n < 0) {
                        throw new IOException("spool file " + spool + " is shorter than expected");
                    }
                    os.write(buffer, 0, n);
                    done += n;
                }
            }
            counted(state.size);
        }
    }

    private void counted(long size) {
        files++;
        bytes += size;
    }

}
