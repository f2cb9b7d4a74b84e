package dev.keepsake.core.spi.support;

/**
 * Rethrowing the cause of a failed task (an {@code ExecutionException}'s cause, a worker thread's failure) as what
 * it is. Stateless; thread-safe.
 */
public final class Throwables {

    private Throwables() {
    }

    /**
     * Throws {@code t} unchanged when it is an unchecked exception, an {@link Error} or of type {@code checked};
     * otherwise wraps it in an {@link IllegalStateException} naming it.
     * Declared to return an exception so callers can write {@code throw Throwables.rethrow(t, IOException.class)}.
     *
     * @param <X> the checked exception the caller declares
     */
    public static <X extends Exception> RuntimeException rethrow(Throwable t, Class<X> checked) throws X {
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        if (checked.isInstance(t)) {
            throw checked.cast(t);
        }
        throw new IllegalStateException("unexpected checked exception: " + t, t);
    }

    /**
     * Like {@link #rethrow(Throwable, Class)} for callers that declare two checked exceptions (e.g. {@code IOException}
     * and {@code SQLException}).
     */
    public static <X extends Exception, Y extends Exception> RuntimeException rethrow(Throwable t, Class<X> first,
            Class<Y> second) throws X, Y {
        if (second.isInstance(t)) {
            throw second.cast(t);
        }
        return rethrow(t, first);
    }
}
