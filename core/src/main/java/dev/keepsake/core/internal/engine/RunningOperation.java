package dev.keepsake.core.internal.engine;

import dev.keepsake.core.OperationStatus;
import dev.keepsake.core.Progress;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.OperationLock;

import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/** The state of the running backup or restore, shared between its thread and {@code status()}. Thread-safe. */
public final class RunningOperation implements JobContext {

    public enum Kind {
        BACKUP("backup"), RESTORE("restore");

        public final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    public final Kind kind;
    public final String id;
    public final Instant startedAt;
    public final OperationLock.Lease lease;
    public final CompletableFuture<OperationStatus> completion = new CompletableFuture<>();
    public final AtomicLong bytesDone = new AtomicLong();
    public volatile long bytesExpected = -1;
    public volatile String phase = "starting";
    public volatile String currentPart = "";
    public volatile boolean quiesced;
    public volatile Thread thread;
    public volatile boolean interruptRequested;

    public RunningOperation(Kind kind, String id, Instant startedAt, OperationLock.Lease lease) {
        this.kind = kind;
        this.id = id;
        this.startedAt = startedAt;
        this.lease = lease;
    }

    public Progress progress() {
        long expected = bytesExpected;
        return new Progress(kind.label, phase, currentPart, bytesDone.get(),
                expected >= 0 ? OptionalLong.of(expected) : OptionalLong.empty());
    }

    /** Starts a new phase with its own byte counter. */
    void stage(String phase, String part, long expected) {
        this.phase = phase;
        this.currentPart = part;
        this.bytesExpected = expected;
        this.bytesDone.set(0);
    }

    /** Moves to another part within the current phase's byte counter. */
    void part(String phase, String part) {
        this.phase = phase;
        this.currentPart = part;
    }

    @Override
    public String operationId() {
        return id;
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public void addProgress(long bytes) {
        bytesDone.addAndGet(bytes);
    }

    @Override
    public void phase(String description) {
        if (description != null) {
            this.phase = description.length() > 200 ? description.substring(0, 200) : description;
        }
    }

    @Override
    public boolean applicationQuiesced() {
        return quiesced;
    }
}
