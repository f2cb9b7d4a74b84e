package dev.keepsake.volume;

import dev.keepsake.core.ErrorCode;
import dev.keepsake.core.KeepsakeException;

/**
 * A volume could not be backed up: a file changed while being read, a symbolic link points outside the volume, a name
 * could not be restored, or the volume directory is missing. The message names the file and the fix.
 */
public final class VolumeBackupException extends KeepsakeException {
    private static final long serialVersionUID = 1L;

    public VolumeBackupException(String message) {
        super(message);
    }

    public VolumeBackupException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ErrorCode code() {
        return ErrorCode.PART_FAILED;
    }
}
