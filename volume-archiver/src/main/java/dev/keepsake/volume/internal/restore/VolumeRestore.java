package dev.keepsake.volume.internal.restore;

import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartReader;
import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.volume.MountPointMode;
import dev.keepsake.volume.VolumeRestoreException;
import dev.keepsake.volume.internal.EntryNames;
import dev.keepsake.volume.internal.PartAttributes;
import dev.keepsake.volume.internal.VolumeSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * The prepare phase of one volume's restore: finds where to stage, checks free space, extracts into a fresh 0700
 * staging directory through {@link Extraction}, and hands a {@link StagedVolume} to the engine. On any failure the
 * staging directory is removed before the exception leaves. Not thread-safe: one per restore.
 */
public final class VolumeRestore {

    private static final Logger LOG = LoggerFactory.getLogger(VolumeRestore.class);
    /** Per-entry allowance for the free-space check: at least one filesystem block each. */
    private static final long BYTES_PER_ENTRY = 4096;

    private final VolumeSettings settings;
    private final JobContext context;

    public VolumeRestore(VolumeSettings settings, JobContext context) {
        this.settings = settings;
        this.context = context;
    }

    /** Reads, validates and stages the part; nothing visible changes. */
    public PreparedRestore prepare(PartReader in) throws IOException {
        String format = in.attributes().getOrDefault(PartAttributes.FORMAT,
                PartAttributes.CURRENT_FORMAT);
        if (!PartAttributes.CURRENT_FORMAT.equals(format)) {
            throw new VolumeRestoreException("Volume '" + settings.name() + "': the archive stores this volume in "
                    + "format " + EntryNames.display(format) + ", which this version cannot read (it reads format "
                    + PartAttributes.CURRENT_FORMAT + "). Restore it with the version that made it, or a newer one.");
        }
        Target target = resolveTarget();
        sweepLeftovers(target);
        checkSpace(target, in);
        context.phase("restoring volume " + settings.name());
        Path staging = target.internalPath("staging");
        Files.createDirectory(staging, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            new Extraction(settings, context, staging).run(in);
            Map<String, String> attributes = in.attributes();
            return new StagedVolume(settings, context, target, staging, rootMode(attributes), rootModified(attributes));
        } catch (Throwable e) {
            try {
                TreeDeleter.delete(staging);
            } catch (IOException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private Target resolveTarget() throws IOException {
        Path configured = settings.path();
        if (Files.exists(configured)) {
            Path real = configured.toRealPath();
            if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
                throw new VolumeRestoreException("Volume '" + settings.name() + "': " + configured
                        + " exists but is not a directory. Move it away or fix the configured path.");
            }
            // a mount point cannot be renamed; a volume whose parent the service may not write (e.g. /var/lib/app
            // owned by the service under a root-owned /var/lib) cannot get a sibling staging directory
            boolean children = settings.mountPointMode() == MountPointMode.REPLACE_CHILDREN
                    || MountPoints.isMountPoint(real) || !Files.isWritable(real.getParent());
            return new Target(real, true, children);
        }
        if (Files.isSymbolicLink(configured)) {
            throw new VolumeRestoreException("Volume '" + settings.name() + "': " + configured
                    + " is a symbolic link to a missing directory. Create the directory it points to.");
        }
        Path parent = configured.getParent();
        if (!Files.isDirectory(parent)) {
            throw new VolumeRestoreException("Volume '" + settings.name() + "': the parent directory " + parent
                    + " of the volume does not exist. Create it, then restore again.");
        }
        return new Target(parent.toRealPath().resolve(configured.getFileName()), false, false);
    }

    /**
     * Removes staging and trash directories a crash left behind. Set-aside previous content is removed only when the
     * volume directory exists (then the swap completed); otherwise it may be the only copy and the restore refuses.
     */
    private void sweepLeftovers(Target target) throws IOException {
        Path dir = target.internalParent();
        String prefix = target.internalPrefix();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String n = p.getFileName().toString();
                if (!n.startsWith(prefix) || !EntryNames.isInternalName(n.substring(prefix.length()))) {
                    continue;
                }
                boolean old = n.substring(prefix.length()).startsWith(".keepsake-old-");
                if (old && (!target.exists() || target.replaceChildren())) {
                    throw new VolumeRestoreException("Volume '" + settings.name() + "': " + p + " holds content "
                            + "set aside by an interrupted restore. Check it and move it back into " + target.path()
                            + " (or delete it), then restore again.");
                }
                LOG.warn("{} - volume '{}': removing {} left by an interrupted restore", context.operationId(),
                        settings.name(), p);
                TreeDeleter.delete(p);
            }
        }
    }

    private void checkSpace(Target target, PartReader in) throws IOException {
        long total = in.totalBytes();
        if (total > settings.maxRestoreBytes()) {
            throw new VolumeRestoreException("Volume '" + settings.name() + "': the archive holds " + total
                    + " bytes for this volume, more than the configured maxRestoreBytes of "
                    + settings.maxRestoreBytes() + ". Raise the limit if the archive is trusted.");
        }
        long usable = Files.getFileStore(target.internalParent()).getUsableSpace();
        long needed = saturatedAdd(saturatedAdd(total, saturatedMultiply(in.entryCount(), BYTES_PER_ENTRY)),
                settings.freeSpaceMargin());
        if (usable < needed) {
            throw new VolumeRestoreException("Volume '" + settings.name() + "': not enough free space in "
                    + target.internalParent() + " to stage the restore: " + needed + " bytes needed (" + total
                    + " of content, " + in.entryCount() + " entries, a margin of " + settings.freeSpaceMargin()
                    + "), " + usable + " usable. Free some space (the previous content stays until the restore "
                    + "commits) or lower freeSpaceMargin.");
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private static long saturatedMultiply(long a, long b) {
        return a != 0 && b > Long.MAX_VALUE / a ? Long.MAX_VALUE : a * b;
    }

    private static int rootMode(Map<String, String> attributes) {
        String m = attributes.get(PartAttributes.ROOT_MODE);
        if (m != null && m.matches("[0-7]{1,4}")) {
            return Integer.parseInt(m, 8) & 0777;
        }
        return 0755;
    }

    private static Instant rootModified(Map<String, String> attributes) {
        String t = attributes.get(PartAttributes.ROOT_MODIFIED);
        if (t == null) {
            return null;
        }
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            return null; // cosmetic: the directory keeps the restore time
        }
    }

    /**
     * Where a volume lives.
     *
     * @param path             the real path of the volume directory (links in the configured path resolved)
     * @param exists           whether it existed at prepare
     * @param replaceChildren  whether its children are replaced (mount point) instead of the directory being renamed
     */
    record Target(Path path, boolean exists, boolean replaceChildren) {

        /** The directory holding staging, set-aside and trash directories: inside a mount point, else the parent. */
        Path internalParent() {
            return replaceChildren ? path : path.getParent();
        }

        /** Prefix of internal names in {@link #internalParent()}: {@code .<volume dir name>} for siblings. */
        String internalPrefix() {
            return replaceChildren ? "" : "." + path.getFileName();
        }

        Path internalPath(String kind) {
            return internalParent().resolve(internalPrefix() + EntryNames.newInternalName(kind));
        }
    }
}
