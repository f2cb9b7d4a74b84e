package dev.keepsake.core.spi;

import java.io.IOException;
import java.util.Optional;

/**
 * One named part of a backup (e.g. {@code postgres}, {@code volume:uploads}) that streams its content into the
 * archive. Implementations never hold a whole part in memory.
 *
 * <p>An instance is configured once and may be used for many backups, one at a time (the engine never runs two
 * operations at once); implementations need not be thread-safe across concurrent {@link #write} calls.
 */
public interface BackupJob {

    /**
     * The part's name: unique within an engine, 1–100 characters of {@code [A-Za-z0-9._:-]}, the same as the
     * matching {@link RestoreJob#name()}.
     */
    String name();

    /** The part's type, recorded in the manifest (e.g. {@code postgresql}, {@code volume}). */
    String type();

    /**
     * The version of the part's schema at backup time where the part knows one (e.g. the database's latest
     * migration), recorded in the manifest for {@code VersionCompatibility}. Called once per backup, before
     * {@link #write}. Default: none.
     */
    default Optional<String> schemaVersion(JobContext context) throws IOException {
        return Optional.empty();
    }

    /**
     * Writes the part. Throwing fails the whole backup (the previous backup stays the one served). The job must honour
     * interruption: when the running thread is interrupted it stops and throws (e.g.
     * {@link java.io.InterruptedIOException}).
     */
    void write(PartWriter out, JobContext context) throws IOException;
}
