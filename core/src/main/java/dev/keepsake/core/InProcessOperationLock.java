package dev.keepsake.core;

import dev.keepsake.core.spi.OperationLock;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** The default {@link OperationLock}: at most one operation in this JVM (per lock instance). Thread-safe. */
public final class InProcessOperationLock implements OperationLock {

    private final AtomicReference<String> holder = new AtomicReference<>();

    @Override
    public Optional<Lease> tryAcquire(String operationId) {
        if (!holder.compareAndSet(null, operationId)) {
            return Optional.empty();
        }
        AtomicBoolean released = new AtomicBoolean();
        return Optional.of(() -> {
            if (released.compareAndSet(false, true)) {
                holder.compareAndSet(operationId, null);
            }
        });
    }

    /** The id of the operation holding the lock, if any (for diagnostics). */
    public Optional<String> holder() {
        return Optional.ofNullable(holder.get());
    }
}
