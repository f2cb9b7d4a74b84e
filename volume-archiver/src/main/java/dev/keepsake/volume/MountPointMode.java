package dev.keepsake.volume;

/**
 * How a restore makes the staged volume visible.
 */
public enum MountPointMode {
    /**
     * The default: when the volume directory is a mount point (another device than its parent, or listed in
     * {@code /proc/self/mountinfo}), its children are replaced; otherwise the whole directory is swapped by two renames.
     */
    AUTO,
    /**
     * Always replace the children of the volume directory, never rename the directory itself (for mount points the
     * detection misses, e.g. some container runtimes, and for tests).
     */
    REPLACE_CHILDREN
}
