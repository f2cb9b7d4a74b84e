package dev.keepsake.volume;

/**
 * What a backup does with a symbolic link in a volume that does not resolve inside the same volume (absolute, or
 * escaping it with {@code ..} or through another link). Links that stay inside the volume are always recorded and
 * restored as links.
 */
public enum SymlinkPolicy {
    /** The backup fails with a message naming the link. The default: a backup never silently loses data. */
    REFUSE_OUTSIDE,
    /** The link is left out of the backup and a warning naming it is logged. */
    SKIP_OUTSIDE
}
