package dev.keepsake.volume;

import dev.keepsake.core.ErrorCode;
import dev.keepsake.core.KeepsakeException;

/**
 * A volume could not be restored for a reason other than a hostile entry: not enough free space, a size limit, a
 * missing parent directory, a left-over from an interrupted restore, or a failed swap. The message says what the
 * volume directory holds now and what to do.
 */
public final class VolumeRestoreException extends KeepsakeException {
    private static final long serialVersionUID = 1L;

    public VolumeRestoreException(String message) {
        super(message);
    }

    public VolumeRestoreException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ErrorCode code() {
        return ErrorCode.PART_FAILED;
    }
}
