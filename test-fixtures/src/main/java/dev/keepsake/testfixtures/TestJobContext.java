package dev.keepsake.testfixtures;

import dev.keepsake.core.spi.JobContext;

import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A real {@link JobContext} for running a part without the engine: a fixed operation id and start time, a progress
 * counter, and optionally an action run on every progress report (e.g. to change a file while it is being read).
 * Phases are ignored (only the engine's status shows them).
 *
 * <p>Thread-safe, as a {@link JobContext} must be: parts report progress from several threads.
 */
public final class TestJobContext implements JobContext {

    private static final AtomicLong IDS = new AtomicLong();

    private final String operationId;
    private final Instant startedAt = Instant.now();
    private final boolean quiesced;
    private final AtomicLong progress = new AtomicLong();
    private volatile LongConsumer onProgress = bytes -> { };

    /** A context for the operation {@code operationId}, started now, the application not quiesced. */
    public TestJobContext(String operationId) {
        this(operationId, false);
    }

    /** A context for the operation {@code operationId}, started now. */
    public TestJobContext(String operationId, boolean applicationQuiesced) {
        this.operationId = Objects.requireNonNull(operationId, "operationId");
        this.quiesced = applicationQuiesced;
    }

    /** A context with a fresh operation id, the application not quiesced. */
    public static TestJobContext normal() {
        return new TestJobContext(nextId(), false);
    }

    /** A context with a fresh operation id whose before-backup hook reported the application quiesced. */
    public static TestJobContext quiesced() {
        return new TestJobContext(nextId(), true);
    }

    private static String nextId() {
        return "test_" + IDS.incrementAndGet();
    }

    /**
     * Runs {@code action} with the bytes of every later progress report, on the reporting thread, after counting
     * them; replaces any earlier action. Returns this context.
     */
    public TestJobContext onProgress(LongConsumer action) {
        this.onProgress = Objects.requireNonNull(action, "action");
        return this;
    }

    /** The bytes reported so far. */
    public long progress() {
        return progress.get();
    }

    @Override
    public String operationId() {
        return operationId;
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public void addProgress(long bytes) {
        progress.addAndGet(bytes);
        onProgress.accept(bytes);
    }

    @Override
    public void phase(String description) {
        // shown only by the engine's status
    }

    @Override
    public boolean applicationQuiesced() {
        return quiesced;
    }
}
