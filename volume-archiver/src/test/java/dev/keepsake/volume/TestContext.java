package dev.keepsake.volume;

import dev.keepsake.core.spi.JobContext;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/** A real {@link JobContext} for tests: counts progress and can run an action on the first progress report. */
final class TestContext implements JobContext {

    private final boolean quiesced;
    final AtomicLong progress = new AtomicLong();
    private volatile LongConsumer onProgress = b -> { };

    TestContext(boolean quiesced) {
        this.quiesced = quiesced;
    }

    static TestContext normal() {
        return new TestContext(false);
    }

    static TestContext quiesced() {
        return new TestContext(true);
    }

    TestContext onProgress(LongConsumer action) {
        this.onProgress = action;
        return this;
    }

    @Override
    public String operationId() {
        return "test_" + System.nanoTime();
    }

    @Override
    public Instant startedAt() {
        return Instant.now();
    }

    @Override
    public void addProgress(long bytes) {
        progress.addAndGet(bytes);
        onProgress.accept(bytes);
    }

    @Override
    public void phase(String description) {
        // shown only by the engine's status; nothing to do in tests
    }

    @Override
    public boolean applicationQuiesced() {
        return quiesced;
    }
}
