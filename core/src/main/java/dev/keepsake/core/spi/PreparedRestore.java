package dev.keepsake.core.spi;

import java.io.IOException;

/**
 * A part that is staged and ready to become visible. The engine calls exactly one of {@link #commit()} or
 * {@link #abort()}, then always {@link #close()}.
 */
public interface PreparedRestore extends AutoCloseable {

    /** Makes the staged content visible, as atomically as the part allows. On failure, leaves the old content. */
    void commit() throws IOException;

    /** Discards the staged content; the visible content stays as it was before {@code prepare}. Idempotent. */
    void abort() throws IOException;

    /** Releases resources (connections, temp files, content set aside for abort). Idempotent. */
    @Override
    default void close() throws IOException {
    }
}
