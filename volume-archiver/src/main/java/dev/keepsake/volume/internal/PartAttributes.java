package dev.keepsake.volume.internal;

/**
 * The attributes a volume part records in the archive manifest: the keys (lowerCamelCase) and the current layout.
 * Written by the backup, read by the restore; counts are for the operator and the tests, the restore reads only
 * {@link #FORMAT}, {@link #ROOT_MODE} and {@link #ROOT_MODIFIED}. Constants only; thread-safe.
 */
public final class PartAttributes {

    /** The layout of the part's entries and attributes; the restore refuses any other than {@link #CURRENT_FORMAT}. */
    public static final String FORMAT = "format";
    /** The layout this version writes and reads. */
    public static final String CURRENT_FORMAT = "1";
    /** Permission bits of the volume directory itself, octal (e.g. {@code 750}). */
    public static final String ROOT_MODE = "rootMode";
    /** Modification time of the volume directory itself, ISO-8601 UTC. */
    public static final String ROOT_MODIFIED = "rootModified";
    /** Number of regular files backed up. */
    public static final String FILES = "files";
    /** Number of directories backed up. */
    public static final String DIRECTORIES = "directories";
    /** Number of symbolic links backed up. */
    public static final String SYMLINKS = "symlinks";
    /** Content bytes of the files backed up. */
    public static final String BYTES = "bytes";
    /** Number of entries left out with a warning (sockets, FIFOs, devices, links skipped by policy, vanished files). */
    public static final String SKIPPED = "skipped";

    private PartAttributes() {
    }
}
