package dev.keepsake.core.spi;

import java.io.IOException;

/**
 * A part that is staged and ready to become visible. The engine calls {@link #commit()} or {@link #abort()}, then
 * always {@link #close()}. A part that {@linkplain #canUndoCommit() can undo its commit} may also see
 * {@link #abort()} after a successful {@link #commit()}, when a later part's commit failed.
 */
public interface PreparedRestore extends AutoCloseable {

    /** Makes the staged content visible, as atomically as the part allows. On failure, leaves the old content. */
    void commit() throws IOException;

    /**
     * Discards the staged content; the visible content stays as it was before {@code prepare}. After a successful
     * {@link #commit()} (only called then when {@link #canUndoCommit()} is true): puts the previous content back.
     * Idempotent.
     */
    void abort() throws IOException;

    /**
     * Whether {@link #abort()} after a successful {@link #commit()} puts the previous content back (e.g. a directory
     * whose old content is kept aside until {@link #close()}). The engine commits such parts first and the others
     * (such as a database, whose commit is one transaction that cannot be undone) last, so that when a later commit
     * fails it can roll the earlier ones back and leave every part as before. Default false.
     */
    default boolean canUndoCommit() {
        return false;
    }

    /** Releases resources (connections, temp files, content set aside for abort). Idempotent. */
    @Override
    default void close() throws IOException {
    }
}
