package dev.keepsake.core.spi;

import java.io.IOException;

/**
 * Restores one named part in phases: {@link #prepare} reads and stages everything and validates it with no visible
 * change; the returned {@link PreparedRestore} then either {@linkplain PreparedRestore#commit() commits} (makes it
 * visible) or {@linkplain PreparedRestore#abort() aborts} (undoes the staging). The engine commits only when every
 * part prepared. Parts whose commit can be undone ({@link PreparedRestore#canUndoCommit()}, e.g. volumes) commit
 * first, the others (the database: its commit is a single transaction) last, each group in registration order; when a
 * commit fails, the parts not yet committed are aborted and the undoable committed ones rolled back.
 *
 * <p>Not required to be thread-safe: the engine runs one operation at a time.
 */
public interface RestoreJob {

    /** The part's name, the same as the matching {@link BackupJob#name()}. */
    String name();

    /**
     * Reads the part's entries and stages them. On failure the job must leave nothing visible changed and clean up
     * what it staged before throwing; the engine then aborts the parts already prepared.
     */
    PreparedRestore prepare(PartReader in, JobContext context) throws IOException;
}
