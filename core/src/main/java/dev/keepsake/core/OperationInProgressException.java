package dev.keepsake.core;

/** Thrown by {@code startBackup}/{@code startRestore} while another operation runs (in this process or, with a shared lock, elsewhere). */
public final class OperationInProgressException extends KeepsakeException {
    private static final long serialVersionUID = 1L;

    public OperationInProgressException(String message) {
        super(message);
    }

    @Override
    public ErrorCode code() {
        return ErrorCode.OPERATION_IN_PROGRESS;
    }
}
