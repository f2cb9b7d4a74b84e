package dev.keepsake.volume;

import dev.keepsake.core.ErrorCode;
import dev.keepsake.core.KeepsakeException;

/**
 * A restore refused an archive entry of a volume: an unsafe or invalid name (escaping the volume, absolute, too long,
 * too deep, duplicate, colliding after Unicode normalisation), a forbidden entry type, a symbolic link leading outside
 * the volume, or content that does not match the declared size. Thrown before anything visible changed; the staging
 * directory is already removed.
 */
public final class UnsafeArchiveEntryException extends KeepsakeException {
    private static final long serialVersionUID = 1L;

    private final String entryName;

    public UnsafeArchiveEntryException(String entryName, String message) {
        super(message);
        this.entryName = entryName;
    }

    /** The refused entry's name as the archive gives it (may contain any character; escape it before display). */
    public String entryName() {
        return entryName;
    }

    @Override
    public ErrorCode code() {
        return ErrorCode.ARCHIVE_INVALID;
    }
}
