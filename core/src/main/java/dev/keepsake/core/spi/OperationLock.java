package dev.keepsake.core.spi;

import java.io.IOException;
import java.util.Optional;

/**
 * Ensures at most one backup or restore runs at a time: in this process by default, or across a cluster (e.g. on a
 * PostgreSQL advisory lock) with another implementation. Implementations must be thread-safe.
 */
public interface OperationLock {

    /**
     * Tries to take the lock without waiting.
     *
     * @param operationId the operation that wants it (for diagnostics)
     * @return a lease to close when the operation ends, or empty when another operation holds the lock
     */
    Optional<Lease> tryAcquire(String operationId) throws IOException;

    /** A held lock; closing it releases the lock. Idempotent. */
    interface Lease extends AutoCloseable {
        @Override
        void close() throws IOException;
    }
}
