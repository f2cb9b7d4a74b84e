package dev.keepsake.core.spi;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;

/**
 * The entries of one part, handed to {@link RestoreJob#prepare} in archive order. Implemented by the engine.
 *
 * <p>By the time a job reads, the engine has verified the archive: signature, set and order of entries, sizes, and the
 * SHA-256 of every entry except the chunks of streams (nearly all the bytes of a database part). It hashes each entry
 * while the job reads it and fails the read with an {@link IOException} before the last bytes of an entry whose
 * content differs from the manifest are returned — for a chunk, that is where tampering is found. So a job stages
 * (as {@link RestoreJob#prepare} must anyway) and acts on an entry only once it has read it to its end. Not
 * thread-safe: one thread reads.
 */
public interface PartReader {

    /** The part's name (e.g. {@code postgres}, {@code volume:uploads}). */
    String partName();

    /** The attributes the backup job recorded with {@link PartWriter#putAttribute}. */
    Map<String, String> attributes();

    /** The part's schema version as recorded at backup time, if the backup job reported one. */
    Optional<String> schemaVersion();

    /** Number of entries in this part (chunks counted one by one), as the manifest says. */
    long entryCount();

    /** Total content bytes in this part, as the manifest says (use it e.g. for a free-space check). */
    long totalBytes();

    /**
     * How many chunks the stream {@code streamName} of this part has, as the manifest says (0 for a stream it does
     * not list), so that a job can finish with a stream as soon as it has read the stream's last chunk; -1 when the
     * reader does not know. The default knows nothing.
     */
    default int chunkCount(String streamName) {
        return -1;
    }

    /**
     * Moves to the next entry of this part and returns it, or empty when the part has no more entries. The
     * previous entry's stream is closed (and its remaining bytes verified) by this call.
     */
    Optional<Entry> next() throws IOException;

    /** One entry: its metadata and a stream of exactly {@code entry().size()} bytes, owned by the reader. */
    interface Entry {
        ArchiveEntry entry();

        InputStream content();
    }
}
