package dev.keepsake.http.internal.problem;

import dev.keepsake.core.ErrorCode;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Maps the engine's error codes to HTTP problems with fixed, human sentences (the engine's own message is logged,
 * not sent: it may name server paths). Stateless.
 */
public final class EngineErrors {

    private static final SecureRandom RANDOM = new SecureRandom();

    private EngineErrors() {
    }

    /** The problem type for a code thrown synchronously by {@code startBackup}/{@code startRestore}. */
    public static ProblemType problemFor(ErrorCode code) {
        return switch (code) {
            case OPERATION_IN_PROGRESS -> ProblemType.OPERATION_IN_PROGRESS;
            case NO_BACKUP -> ProblemType.NO_BACKUP;
            case STORE_FAILED, INTERRUPTED -> ProblemType.UNAVAILABLE;
            case ARCHIVE_INVALID, INCOMPATIBLE_VERSION -> ProblemType.BAD_REQUEST;
            default -> ProblemType.INTERNAL_ERROR;
        };
    }

    /** A sentence for the client: what happened and what to do. */
    public static String detailFor(ErrorCode code, String operation) {
        return switch (code) {
            case OPERATION_IN_PROGRESS -> inProgress();
            case NO_BACKUP -> "No finished backup exists yet.";
            case STORE_FAILED -> "The " + operation + " could not be started because the backup store failed "
                    + "(disk full or not writable?); the server log has the details.";
            case INTERRUPTED -> "The " + operation + " could not be started because the service is shutting down; "
                    + "try again when it is back.";
            case ARCHIVE_INVALID -> "The uploaded file is not a valid backup archive.";
            case INCOMPATIBLE_VERSION -> "This version cannot restore the uploaded backup.";
            case HOOK_FAILED -> "The " + operation + " could not be started because a preparation step of the "
                    + "application failed; the server log has the details.";
            default -> "The " + operation + " could not be started (" + code + "); the server log has the details.";
        };
    }

    /** What a client that runs into another operation is told: wait for it, then try again. */
    public static String inProgress() {
        return "Another backup or restore is running; wait until GET /api/maintenance/db shows running false, "
                + "then try again.";
    }

    /** A short random reference that ties an answer to a log line. */
    public static String reference() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
