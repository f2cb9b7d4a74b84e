package dev.keepsake.core;

/**
 * How a new backup is checked before it becomes visible (when the store writes a local file, as the default store
 * does). Whatever the choice, a backup that fails its check is discarded and the last good backup stays.
 */
public enum BackupVerification {
    /** No check after writing. */
    NONE,
    /**
     * The stored file is read back and its size and SHA-256 compared with those of the bytes the archive writer
     * produced: catches a store or file system that does not keep the bytes it was given, at the cost of reading the
     * compressed file once. The read follows the writer while the backup runs (never past the bytes already handed to
     * the store), so little of it is left for the end; a change to bytes after they were read back, other than to
     * the file's size, is therefore not seen ({@link #FULL} reads the complete file again). (The read comes from the
     * operating system's cache: a disk's own write errors may only show later, as with any read-back.) The default.
     */
    STORED_BYTES,
    /**
     * Everything {@link #STORED_BYTES} checks, and the file is also verified as {@link MaintenanceEngine#verify} does
     * (signature, the compressed data's SHA-256, then decompressed entry by entry: every entry's name, size and,
     * chunks excepted, SHA-256): also catches a fault of the compressor or the archive writer. Costs one decompression and hashing pass over the whole data (about a second per GB of table data).
     */
    FULL
}
