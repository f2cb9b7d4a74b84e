package dev.keepsake.examples;

/**
 * A command failed for a reason the user can act on; {@link Main} prints the message as one line on stderr and exits
 * with {@link #status()}. Messages never contain secrets.
 */
final class CommandFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ExitStatus status;

    CommandFailedException(ExitStatus status, String message) {
        super(message);
        this.status = status;
    }

    CommandFailedException(ExitStatus status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    ExitStatus status() {
        return status;
    }
}
