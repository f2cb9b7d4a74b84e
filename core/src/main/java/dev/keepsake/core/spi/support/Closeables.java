package dev.keepsake.core.spi.support;

/**
 * Closing resources on a path that is already failing or no longer needs them, without hiding the first problem.
 * Stateless; thread-safe.
 */
public final class Closeables {

    private Closeables() {
    }

    /**
     * Closes {@code resource} (null: nothing), ignoring what closing throws. For resources whose close cannot lose
     * data: a broken connection (the server ends the session and its transaction either way), a read-only channel, a
     * temp file about to be deleted.
     */
    public static void closeQuietly(AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            // see above: nothing that closing could report changes the outcome
        }
    }

    /**
     * Closes {@code resource} (null: nothing) after {@code primary} failed; what closing throws is added to
     * {@code primary} as suppressed, so the first problem stays the one reported.
     */
    public static void closeAfterFailure(AutoCloseable resource, Throwable primary) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception e) {
            if (primary != e) {
                primary.addSuppressed(e);
            }
        }
    }
}
