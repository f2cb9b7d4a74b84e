package dev.keepsake.core;

/**
 * The root of every exception Keepsake throws on purpose. Unchecked; {@link #code()} says what kind of failure it is.
 * Messages name the bad value and the fix and never contain secrets.
 */
public abstract class KeepsakeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    protected KeepsakeException(String message) {
        super(message);
    }

    protected KeepsakeException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The kind of failure. */
    public abstract ErrorCode code();
}
