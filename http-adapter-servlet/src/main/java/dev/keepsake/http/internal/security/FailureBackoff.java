package dev.keepsake.http.internal.security;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Slows down clients that keep failing authentication: after the n-th consecutive failure from one client address
 * the answer is delayed by min(cap, 50 ms × 2^(n-1)). A success resets the address; an address unseen for 15
 * minutes is forgotten. The table is bounded ({@value #MAX_TRACKED} addresses): when it is full and cannot be
 * pruned, untracked addresses get the full delay. The delay sleeps in the calling thread without holding any lock.
 * Thread-safe.
 */
public final class FailureBackoff {

    static final int MAX_TRACKED = 10_000;
    private static final long BASE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long FORGET_AFTER_NANOS = TimeUnit.MINUTES.toNanos(15);

    private final long capNanos;
    private final ConcurrentHashMap<String, Failures> failures = new ConcurrentHashMap<>();

    private record Failures(int count, long lastNanos) {
    }

    public FailureBackoff(Duration cap) {
        this.capNanos = cap.toNanos();
    }

    /** Records a failure of {@code client} and returns how long to delay the answer. */
    public Duration recordFailure(String client) {
        if (capNanos == 0) {
            return Duration.ZERO;
        }
        long now = System.nanoTime();
        if (!failures.containsKey(client) && failures.size() >= MAX_TRACKED) {
            failures.values().removeIf(f -> now - f.lastNanos() > FORGET_AFTER_NANOS);
            if (failures.size() >= MAX_TRACKED) {
                return Duration.ofNanos(capNanos);
            }
        }
        Failures f = failures.compute(client, (k, old) ->
                old == null || now - old.lastNanos() > FORGET_AFTER_NANOS
                        ? new Failures(1, now) : new Failures(Math.min(old.count() + 1, 62), now));
        int shift = Math.min(f.count() - 1, 30);
        long delay = BASE_NANOS << shift;
        return Duration.ofNanos(delay <= 0 ? capNanos : Math.min(delay, capNanos));
    }

    /** Forgets the failures of {@code client} after a success. */
    public void recordSuccess(String client) {
        if (!failures.isEmpty()) {
            failures.remove(client);
        }
    }

    /** Sleeps for {@code delay}; restores the interrupt flag when interrupted. Holds no lock. */
    public static void pause(Duration delay) {
        if (delay.isZero()) {
            return;
        }
        try {
            Thread.sleep(delay.toMillis(), delay.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // answer at once; the container is shutting down
        }
    }
}
