package dev.keepsake.core.internal.compress;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A compressing stream of an archive that can end the data: {@link #endData()} closes the compressed unit in progress
 * (a gzip member, a zstd frame), hands every byte so far to the underlying stream and marks where the manifest starts,
 * so that a reader finds the end of the data without inflating it. Closing finishes the stream and closes the
 * underlying one. Not thread-safe (one writer).
 */
public abstract class CompressedOutput extends OutputStream {

    /**
     * Ends the data: what was written before this call is compressed and handed to the underlying stream; the next
     * write starts with the mark ({@link ParallelGzipOutputStream#MANIFEST_MARK} in the next member's header, the
     * skippable frame {@link ZstdFrames#MARKER} before the next frame). Call once, between the archive's last data
     * entry and its manifest.
     */
    public abstract void endData() throws IOException;

    /** Flushes the underlying stream; buffered input stays buffered (compressing it now would cut the stream). */
    @Override
    public abstract void flush() throws IOException;
}
