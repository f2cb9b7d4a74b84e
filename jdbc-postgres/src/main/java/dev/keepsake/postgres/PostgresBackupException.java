package dev.keepsake.postgres;

import dev.keepsake.core.ErrorCode;
import dev.keepsake.core.KeepsakeException;

/** A backup of the PostgreSQL part failed; the message names the step (and table) and the server's error. */
public final class PostgresBackupException extends KeepsakeException {
    private static final long serialVersionUID = 1L;

    public PostgresBackupException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ErrorCode code() {
        return ErrorCode.PART_FAILED;
    }
}
