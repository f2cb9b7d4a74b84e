package dev.keepsake.core;

/** The backup store failed (disk full, permissions, a missing directory). */
public final class BackupStoreException extends KeepsakeException {
    private static final long serialVersionUID = 1L;

    public BackupStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ErrorCode code() {
        return ErrorCode.STORE_FAILED;
    }
}
