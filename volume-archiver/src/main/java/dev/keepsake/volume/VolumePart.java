package dev.keepsake.volume;

import dev.keepsake.core.InvalidConfigurationException;
import dev.keepsake.core.spi.BackupJob;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartReader;
import dev.keepsake.core.spi.PartWriter;
import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.core.spi.RestoreJob;
import dev.keepsake.volume.internal.VolumeSettings;
import dev.keepsake.volume.internal.backup.Glob;
import dev.keepsake.volume.internal.backup.VolumeBackup;
import dev.keepsake.volume.internal.restore.VolumeRestore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One named volume — a directory the service keeps state in — as a part of the archive ({@code volume:<name>}).
 * Register one instance per volume with the engine:
 *
 * <pre>{@code
 * MaintenanceEngine.builder()
 *     .part(postgresPart)
 *     .part(VolumePart.builder().name("uploads").path(Path.of("/srv/app/uploads")).exclude("cache/**", "*.tmp").build())
 *     ...
 * }</pre>
 *
 * <p><b>Backup</b> streams every regular file, directory (empty ones too) and internal relative symbolic link, with
 * permission bits (rwx for user, group, other) and modification times, in sorted order, without following links and
 * without ever opening sockets, FIFOs or devices (they are skipped with a warning).
 *
 * <p><b>Restore</b> validates every entry (names, types, links, sizes), extracts into a fresh 0700 staging directory
 * next to the volume (inside it for a mount point), and on commit swaps it in by renames; the previous content is kept
 * aside until {@link PreparedRestore#close()} so that {@link PreparedRestore#abort()} can put it back. Restored files
 * belong to the process's user; setuid, setgid and sticky bits are not restored.
 *
 * <p>Immutable and thread-safe; the engine runs one operation at a time.
 */
public final class VolumePart implements BackupJob, RestoreJob {

    /** Default {@link Builder#freeSpaceMargin}: 64 MiB. */
    public static final long DEFAULT_FREE_SPACE_MARGIN = 64L << 20;
    /** Default {@link Builder#maxRestoreBytes}: 1 TiB. */
    public static final long DEFAULT_MAX_RESTORE_BYTES = 1L << 40;
    /** Default {@link Builder#maxDepth}: 256 path segments. */
    public static final int DEFAULT_MAX_DEPTH = 256;

    private final VolumeSettings settings;

    private VolumePart(VolumeSettings settings) {
        this.settings = settings;
    }

    /** Starts a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code volume:<name>}. */
    @Override
    public String name() {
        return settings.partName();
    }

    /** {@code volume}. */
    @Override
    public String type() {
        return "volume";
    }

    /** The volume's name, without the {@code volume:} prefix. */
    public String volumeName() {
        return settings.name();
    }

    /** The volume directory. */
    public Path path() {
        return settings.path();
    }

    @Override
    public void write(PartWriter out, JobContext context) throws IOException {
        new VolumeBackup(settings, context).write(out);
    }

    @Override
    public PreparedRestore prepare(PartReader in, JobContext context) throws IOException {
        return new VolumeRestore(settings, context).prepare(in);
    }

    @Override
    public String toString() {
        return "VolumePart[" + settings.name() + " at " + settings.path() + "]";
    }

    /**
     * Configuration of a {@link VolumePart}; {@link #build()} validates it once and lists every problem. Not
     * thread-safe.
     */
    public static final class Builder {
        private String name;
        private Path path;
        private final List<String> includes = new ArrayList<>();
        private final List<String> excludes = new ArrayList<>();
        private SymlinkPolicy symlinks = SymlinkPolicy.REFUSE_OUTSIDE;
        private ChangedFilePolicy changedFiles = ChangedFilePolicy.fail();
        private long freeSpaceMargin = DEFAULT_FREE_SPACE_MARGIN;
        private long maxRestoreBytes = DEFAULT_MAX_RESTORE_BYTES;
        private int maxDepth = DEFAULT_MAX_DEPTH;
        private MountPointMode mountPointMode = MountPointMode.AUTO;
        private boolean syncOnRestore = true;
        private Path spoolDirectory = Path.of(System.getProperty("java.io.tmpdir"));

        private Builder() {
        }

        /** The volume's name, 1–93 of {@code [A-Za-z0-9._-]}; the part is {@code volume:<name>}. Required. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /**
         * The volume directory, absolute. Required. Its parent must exist when restoring. If it is a symbolic link,
         * the directory it points to is backed up and restored.
         */
        public Builder path(Path path) {
            this.path = path;
            return this;
        }

        /**
         * Glob patterns of paths relative to the volume to back up (default: everything). {@code *} and {@code ?}
         * stay within one segment, {@code **} crosses segments ({@code **}{@code /} also matches no directory),
         * {@code [abc]} and {@code {a,b}} as usual. A pattern matching a directory includes all of it; the parents of
         * included entries are always included.
         */
        public Builder include(String... patterns) {
            includes.addAll(Arrays.asList(patterns));
            return this;
        }

        /**
         * Glob patterns of relative paths to leave out, e.g. {@code **}{@code /*.tmp} or {@code cache/**} (keeps the
         * empty {@code cache} directory) or {@code cache} (leaves it out entirely). Excludes win over includes.
         */
        public Builder exclude(String... patterns) {
            excludes.addAll(Arrays.asList(patterns));
            return this;
        }

        /** Links leading outside the volume: refuse the backup (default) or skip them with a warning. */
        public Builder symlinks(SymlinkPolicy policy) {
            this.symlinks = policy;
            return this;
        }

        /** Files changing while read: {@link ChangedFilePolicy#fail()} (default), retry, or accept. */
        public Builder changedFiles(ChangedFilePolicy policy) {
            this.changedFiles = policy;
            return this;
        }

        /** Bytes that must remain free on the volume's filesystem after extraction (≥ 0). Default 64 MiB. */
        public Builder freeSpaceMargin(long bytes) {
            this.freeSpaceMargin = bytes;
            return this;
        }

        /**
         * Absolute cap on the content bytes one restore of this volume may write (≥ 1), whatever the archive
         * declares. Default 1 TiB.
         */
        public Builder maxRestoreBytes(long bytes) {
            this.maxRestoreBytes = bytes;
            return this;
        }

        /** Maximum number of path segments of an entry, on backup and restore (1–2048). Default 256. */
        public Builder maxDepth(int depth) {
            this.maxDepth = depth;
            return this;
        }

        /** How the restore swaps the staged tree in. Default {@link MountPointMode#AUTO}. */
        public Builder mountPointMode(MountPointMode mode) {
            this.mountPointMode = mode;
            return this;
        }

        /**
         * Whether a restore fsyncs every file and directory before the swap, so that a power loss right after the
         * restore cannot leave empty files. Default true; turning it off makes restores of many small files faster.
         */
        public Builder syncOnRestore(boolean sync) {
            this.syncOnRestore = sync;
            return this;
        }

        /** Directory for spool files of {@link ChangedFilePolicy#retry(int)}. Default {@code java.io.tmpdir}. */
        public Builder spoolDirectory(Path dir) {
            this.spoolDirectory = dir;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws InvalidConfigurationException listing every problem
         */
        public VolumePart build() {
            List<String> problems = new ArrayList<>();
            if (name == null || !name.matches("[A-Za-z0-9._-]{1,93}")) {
                problems.add("volume name '" + name + "' is invalid: use 1-93 letters, digits, '.', '_' or '-'");
            }
            if (path == null) {
                problems.add("path is required: the volume directory, e.g. Path.of(\"/srv/app/uploads\")");
            } else if (!path.isAbsolute()) {
                problems.add("path '" + path + "' must be absolute");
            } else if (path.getParent() == null) {
                problems.add("path '" + path + "' must not be the filesystem root");
            }
            for (String p : includes) {
                checkPattern("include", p, problems);
            }
            for (String p : excludes) {
                checkPattern("exclude", p, problems);
            }
            if (symlinks == null) {
                problems.add("symlinks policy must not be null");
            }
            if (changedFiles == null) {
                problems.add("changedFiles policy must not be null");
            }
            if (freeSpaceMargin < 0) {
                problems.add("freeSpaceMargin must be >= 0 bytes but was " + freeSpaceMargin);
            }
            if (maxRestoreBytes < 1) {
                problems.add("maxRestoreBytes must be >= 1 byte but was " + maxRestoreBytes);
            }
            if (maxDepth < 1 || maxDepth > 2048) {
                problems.add("maxDepth must be 1-2048 but was " + maxDepth);
            }
            if (mountPointMode == null) {
                problems.add("mountPointMode must not be null");
            }
            if (spoolDirectory == null) {
                problems.add("spoolDirectory must not be null");
            }
            if (!problems.isEmpty()) {
                throw new InvalidConfigurationException("Invalid volume configuration"
                        + (name != null ? " '" + name + "'" : "") + ": " + String.join("; ", problems));
            }
            return new VolumePart(new VolumeSettings(name, path.normalize(), includes, excludes, symlinks,
                    changedFiles, freeSpaceMargin, maxRestoreBytes, maxDepth, mountPointMode, syncOnRestore,
                    spoolDirectory));
        }

        private static void checkPattern(String kind, String pattern, List<String> problems) {
            if (pattern == null) {
                problems.add(kind + " pattern must not be null");
                return;
            }
            String problem = Glob.problem(pattern);
            if (problem != null) {
                problems.add(kind + " pattern '" + pattern + "' is invalid: " + problem);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VolumePart v && v.settings.equals(settings);
    }

    @Override
    public int hashCode() {
        return Objects.hash(settings);
    }
}
