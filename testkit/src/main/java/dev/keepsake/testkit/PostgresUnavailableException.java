package dev.keepsake.testkit;

/**
 * No PostgreSQL server could be obtained. The message lists every strategy that was tried, why each failed, and how
 * to fix the environment.
 */
public final class PostgresUnavailableException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public PostgresUnavailableException(String message) {
        super(message);
    }

    public PostgresUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
