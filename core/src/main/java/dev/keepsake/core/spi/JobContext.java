package dev.keepsake.core.spi;

import java.time.Instant;

/**
 * What the engine tells a job about the running operation, and where the job reports progress. Thread-safe.
 */
public interface JobContext {

    /** The operation's id, {@code <product version>_<ISO-8601 UTC start>}; use it as log context. */
    String operationId();

    /** When the operation started. */
    Instant startedAt();

    /** Adds {@code bytes} to the part's progress counter (content bytes read or written). */
    void addProgress(long bytes);

    /** Sets the phase shown in the status while running (e.g. {@code "copying public.film"}); short, no secrets. */
    void phase(String description);

    /**
     * Whether the before-backup hook reported the application quiesced (no writes expected during the backup).
     * Parts may use it to relax checks for files that change while being read.
     */
    boolean applicationQuiesced();
}
