package dev.keepsake.core;

/**
 * The operation lock could not be checked (e.g. the database holding a cluster-wide lock is unreachable), so the
 * engine cannot tell whether another operation runs and starts nothing. Retry when the lock's backend is back.
 */
public final class OperationLockException extends KeepsakeException {
    private static final long serialVersionUID = 1L;

    public OperationLockException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ErrorCode code() {
        return ErrorCode.OPERATION_IN_PROGRESS;
    }
}
