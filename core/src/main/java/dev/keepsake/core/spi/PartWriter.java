package dev.keepsake.core.spi;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Where a {@link BackupJob} writes its part. Implemented by the engine; every byte goes straight into the archive
 * (nothing is held in memory beyond one chunk per open stream), and each entry's size and SHA-256 are recorded in
 * the signed manifest.
 *
 * <p><b>Thread-safety:</b> {@link #appendChunk} and {@link #putAttribute} may be called from several threads at
 * once (that is how a job backs up several tables in parallel); the engine serialises them into the archive.
 * {@link #addEntry} holds the archive until the returned stream is closed: call it from one thread at a time and
 * close the stream promptly. Chunks of one stream must be appended in order, by one thread at a time.
 */
public interface PartWriter {

    /**
     * Adds an entry whose size is known up front ({@link ArchiveEntry.Type#FILE}, {@code DIRECTORY} or
     * {@code SYMLINK}). The caller must write exactly {@code entry.size()} bytes to the returned stream and close it;
     * writing more fails, and closing early fails the backup ("entry X: wrote N of M bytes").
     *
     * @return a stream owned by the caller, to be closed by it; for entries without content, an already usable
     *         stream that accepts no bytes (closing it is still required)
     */
    OutputStream addEntry(ArchiveEntry entry) throws IOException;

    /**
     * Appends the bytes remaining in {@code data} as the next chunk of the stream {@code streamName}. The stream's
     * chunks get indexes 0, 1, 2, … in call order. Chunks of different streams may interleave in the archive; a
     * reader sees them in the same order. An empty stream should still have one (empty) chunk, so that it exists.
     * The buffer is read fully before the call returns and is not kept.
     */
    void appendChunk(String streamName, ByteBuffer data) throws IOException;

    /**
     * Opens a single-threaded convenience stream for {@code streamName} that cuts what is written into chunks of
     * {@code chunkSize} bytes (the last may be shorter) and appends them with {@link #appendChunk}. Closing it flushes
     * the last chunk (an empty stream yields one empty chunk). The stream is owned by the caller.
     */
    OutputStream openStream(String streamName, int chunkSize) throws IOException;

    /**
     * Records a small piece of metadata about this part in the signed manifest (e.g. the server's major version),
     * visible to the restore side through {@link PartReader#attributes()}. Keys and values are short strings; a
     * later call with the same key replaces the value.
     */
    void putAttribute(String key, String value);
}
