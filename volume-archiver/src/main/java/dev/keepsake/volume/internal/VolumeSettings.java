package dev.keepsake.volume.internal;

import dev.keepsake.volume.ChangedFilePolicy;
import dev.keepsake.volume.MountPointMode;
import dev.keepsake.volume.SymlinkPolicy;

import java.nio.file.Path;
import java.util.List;

/**
 * The validated configuration of one volume, as {@code VolumePart.Builder} produced it. Immutable.
 *
 * @param name             the volume name (the part is {@code volume:<name>})
 * @param path             the volume directory, absolute
 * @param includes         glob patterns of relative paths to back up; empty means everything
 * @param excludes         glob patterns of relative paths to leave out; they win over includes
 * @param symlinks         what to do with links leading outside the volume
 * @param changedFiles     what to do with files that change while read
 * @param freeSpaceMargin  bytes that must stay free after a restore's extraction
 * @param maxRestoreBytes  absolute cap on the bytes one restore writes
 * @param maxDepth         maximum number of path segments of an entry name
 * @param mountPointMode   how a restore swaps the staged tree in
 * @param syncOnRestore    whether restored files and directories are fsync'ed before the swap
 * @param spoolDirectory   where {@link ChangedFilePolicy.Action#RETRY} spools files
 */
public record VolumeSettings(String name, Path path, List<String> includes, List<String> excludes,
                             SymlinkPolicy symlinks, ChangedFilePolicy changedFiles, long freeSpaceMargin,
                             long maxRestoreBytes, int maxDepth, MountPointMode mountPointMode, boolean syncOnRestore,
                             Path spoolDirectory) {

    /** Longest entry name in UTF-8 bytes (Linux {@code PATH_MAX} including the terminating NUL is 4096). */
    public static final int MAX_PATH_BYTES = 4096;
    /** Longest path component in UTF-8 bytes (Linux {@code NAME_MAX}). */
    public static final int MAX_COMPONENT_BYTES = 255;

    public VolumeSettings {
        includes = List.copyOf(includes);
        excludes = List.copyOf(excludes);
    }

    /** The part name, {@code volume:<name>}. */
    public String partName() {
        return "volume:" + name;
    }
}
