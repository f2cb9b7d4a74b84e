package dev.keepsake.postgres;

import dev.keepsake.core.ErrorCode;
import dev.keepsake.core.KeepsakeException;

/**
 * A restore of the PostgreSQL part failed. The message names the step, the statement or table where it failed, the
 * server's error and, where there is one, the fix. {@link #databaseUnchanged()} says whether the target database is
 * known to be exactly as before (true for every failure before the final {@code COMMIT}).
 */
public final class PostgresRestoreException extends KeepsakeException {
    private static final long serialVersionUID = 1L;
    private final boolean databaseUnchanged;

    public PostgresRestoreException(String message, boolean databaseUnchanged, Throwable cause) {
        super(message, cause);
        this.databaseUnchanged = databaseUnchanged;
    }

    /** Whether the target database is known to be unchanged (the restore's transaction was rolled back or never committed). */
    public boolean databaseUnchanged() {
        return databaseUnchanged;
    }

    @Override
    public ErrorCode code() {
        return ErrorCode.PART_FAILED;
    }
}
