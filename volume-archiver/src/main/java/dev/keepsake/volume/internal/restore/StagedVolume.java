package dev.keepsake.volume.internal.restore;

import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.volume.VolumeRestoreException;
import dev.keepsake.volume.internal.VolumeSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A volume extracted into its staging directory, waiting for the engine's decision.
 *
 * <p>Commit, normal directory: rename the volume directory to a hidden sibling ({@code .<dir>.keepsake-old-<random>}),
 * then the staging directory to the volume directory (two renames on one filesystem; between them the volume
 * directory briefly does not exist — Java offers no {@code renameat2(RENAME_EXCHANGE)}). Commit, mount point: move
 * every child of the volume into a hidden {@code .keepsake-old-<random>} directory inside it, then every staged child
 * in. The previous content stays aside until {@link #close()}, so {@link #abort()} can put it back even after a
 * commit; a failed commit puts it back itself and removes the staging. Not thread-safe: the engine calls one method
 * at a time.
 */
final class StagedVolume implements PreparedRestore {

    private static final Logger LOG = LoggerFactory.getLogger(StagedVolume.class);

    private enum State { PREPARED, COMMITTED, ABORTED, CLOSED }

    private final VolumeSettings settings;
    private final JobContext context;
    private final VolumeRestore.Target target;
    private final Path staging;
    private final int rootMode;
    private final Instant rootModified;
    private State state = State.PREPARED;
    /** The previous content set aside by the commit (directory renamed, or holder of the moved children). */
    private Path old;
    private final List<String> movedOut = new ArrayList<>();
    private final List<String> movedIn = new ArrayList<>();

    StagedVolume(VolumeSettings settings, JobContext context, VolumeRestore.Target target, Path staging,
                 int rootMode, Instant rootModified) {
        this.settings = settings;
        this.context = context;
        this.target = target;
        this.staging = staging;
        this.rootMode = rootMode;
        this.rootModified = rootModified;
    }

    @Override
    public void commit() throws IOException {
        if (state != State.PREPARED) {
            throw new IllegalStateException("volume '" + settings.name() + "' cannot commit in state " + state);
        }
        try {
            if (target.replaceChildren()) {
                commitChildren();
            } else {
                commitRename();
            }
        } catch (IOException | RuntimeException e) {
            state = State.ABORTED;
            RuntimeException failure = e instanceof VolumeRestoreException v ? v
                    : new VolumeRestoreException("Volume '" + settings.name() + "': the restored content could not be "
                    + "made visible (" + e.getMessage() + "); the volume is unchanged." + mountPointHint(e), e);
            try {
                TreeDeleter.delete(staging);
            } catch (IOException | RuntimeException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
        state = State.COMMITTED;
        LOG.debug("{} - volume '{}': restored into {}", context.operationId(), settings.name(), target.path());
    }

    private void commitRename() throws IOException {
        Path dir = target.path();
        Files.setPosixFilePermissions(staging, Extraction.permissions(rootMode));
        if (rootModified != null) {
            Files.setLastModifiedTime(staging, FileTime.from(rootModified));
        }
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new VolumeRestoreException("Volume '" + settings.name() + "': " + dir + " was replaced by "
                        + "something that is not a directory during the restore; it was left as it is.");
            }
            Path aside = target.internalPath("old");
            try {
                Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new VolumeRestoreException("Volume '" + settings.name() + "': could not set the previous "
                        + "content of " + dir + " aside (" + e.getMessage() + "); the volume is unchanged."
                        + mountPointHint(e), e);
            }
            old = aside;
        }
        try {
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            if (old != null) {
                try {
                    Files.move(old, dir, StandardCopyOption.ATOMIC_MOVE);
                    old = null;
                } catch (IOException | RuntimeException back) {
                    e.addSuppressed(back);
                    throw new VolumeRestoreException("Volume '" + settings.name() + "': the swap failed and the "
                            + "previous content could not be moved back: it is in " + old + "; move it back to " + dir
                            + " by hand.", e);
                }
            }
            throw new VolumeRestoreException("Volume '" + settings.name() + "': could not move the restored volume "
                    + "into " + dir + " (" + e.getMessage() + "); the volume is unchanged." + mountPointHint(e), e);
        }
        if (settings.syncOnRestore()) {
            TreeDeleter.syncDirectory(dir.getParent());
        }
    }

    /** EBUSY/EXDEV: the directory is a mount point the detection missed. */
    private static String mountPointHint(Exception e) {
        String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : "";
        return reason.contains("busy") || reason.contains("cross-device") || reason.contains("Invalid cross")
                ? " It looks like a mount point: configure mountPointMode(MountPointMode.REPLACE_CHILDREN)." : "";
    }

    private void commitChildren() throws IOException {
        Path dir = target.path();
        Path aside = target.internalPath("old");
        Files.createDirectory(aside, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        old = aside;
        try {
            for (String name : children(dir)) {
                if (!name.equals(staging.getFileName().toString()) && !name.equals(aside.getFileName().toString())) {
                    Files.move(dir.resolve(name), aside.resolve(name), StandardCopyOption.ATOMIC_MOVE);
                    movedOut.add(name);
                }
            }
            for (String name : children(staging)) {
                Files.move(staging.resolve(name), dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
                movedIn.add(name);
            }
            Files.delete(staging);
        } catch (IOException | RuntimeException e) {
            try {
                putChildrenBack(staging);
                Files.delete(aside);
                old = null;
            } catch (IOException | RuntimeException back) {
                e.addSuppressed(back);
                throw new VolumeRestoreException("Volume '" + settings.name() + "': replacing the children of the "
                        + "mount point " + dir + " failed and the previous content could not all be moved back: "
                        + "what is missing is in " + aside + "; move it back by hand.", e);
            }
            throw new VolumeRestoreException("Volume '" + settings.name() + "': could not move the restored files "
                    + "into the mount point " + dir + " (" + e.getMessage() + "); the volume is unchanged.", e);
        }
        if (settings.syncOnRestore()) {
            TreeDeleter.syncDirectory(dir);
        }
    }

    /** Moves the restored children from the volume into {@code holder}, then the previous children back. */
    private void putChildrenBack(Path holder) throws IOException {
        Path dir = target.path();
        for (int i = movedIn.size() - 1; i >= 0; i--) {
            Files.move(dir.resolve(movedIn.get(i)), holder.resolve(movedIn.get(i)), StandardCopyOption.ATOMIC_MOVE);
            movedIn.remove(i);
        }
        for (int i = movedOut.size() - 1; i >= 0; i--) {
            Files.move(old.resolve(movedOut.get(i)), dir.resolve(movedOut.get(i)), StandardCopyOption.ATOMIC_MOVE);
            movedOut.remove(i);
        }
    }

    private static List<String> children(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                names.add(p.getFileName().toString());
            }
        }
        return names;
    }

    /**
     * Before a commit: removes the staging. After a commit (a later part failed): puts the previous content back and
     * removes the restored one. Idempotent.
     */
    @Override
    public void abort() throws IOException {
        switch (state) {
            case PREPARED -> {
                state = State.ABORTED;
                TreeDeleter.delete(staging);
            }
            case COMMITTED -> {
                state = State.ABORTED;
                rollBackCommit();
            }
            default -> {
                // already aborted or closed: nothing to undo
            }
        }
    }

    private void rollBackCommit() throws IOException {
        Path dir = target.path();
        Path trash = target.internalPath("trash");
        if (target.replaceChildren()) {
            Files.createDirectory(trash, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            putChildrenBack(trash);
            Files.delete(old);
        } else {
            Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
            if (old != null) {
                Files.move(old, dir, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        old = null;
        TreeDeleter.delete(trash);
    }

    /** True: the previous content stays aside until {@link #close()}, so {@link #abort()} can put it back. */
    @Override
    public boolean canUndoCommit() {
        return true;
    }

    /** After a commit: deletes the previous content set aside (a failure is logged: the restore itself succeeded). */
    @Override
    public void close() throws IOException {
        if (state == State.PREPARED) {
            abort();
        }
        if (state == State.COMMITTED && old != null) {
            try {
                TreeDeleter.delete(old);
                old = null;
            } catch (IOException e) {
                LOG.warn("{} - volume '{}': restored, but the previous content set aside in {} could not be deleted "
                        + "({}); delete it by hand", context.operationId(), settings.name(), old, e.toString());
            }
        }
        state = State.CLOSED;
    }
}
