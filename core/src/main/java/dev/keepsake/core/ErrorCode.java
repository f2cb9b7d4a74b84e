package dev.keepsake.core;

/** What went wrong, for adapters that map failures (to HTTP statuses, exit codes) without instanceof ladders. */
public enum ErrorCode {
    /** Another backup or restore is running. */
    OPERATION_IN_PROGRESS,
    /** The archive is damaged, truncated, tampered with, unsigned (when not allowed) or signed with an unknown key. */
    ARCHIVE_INVALID,
    /** The version policy refuses the backup. */
    INCOMPATIBLE_VERSION,
    /** A before/after hook failed. */
    HOOK_FAILED,
    /** A part's backup, prepare or commit failed. */
    PART_FAILED,
    /** The backup store failed (disk full, permissions). */
    STORE_FAILED,
    /** No finished backup exists. */
    NO_BACKUP,
    /** The operation was interrupted (shutdown, crash of the service). */
    INTERRUPTED,
    /** Invalid configuration or argument. */
    INVALID_CONFIGURATION
}
