package dev.keepsake.core.internal.archive;

import dev.keepsake.core.spi.ArchiveEntry;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The content of {@code keepsake/manifest.json} (and, without entries, attributes and totals, of
 * {@code keepsake/header.json}). Immutable. Internal.
 *
 * @param formatVersion  archive format version ({@link ArchiveLayout#FORMAT_VERSION})
 * @param productName    product that made the backup
 * @param productVersion its version, as text
 * @param backupId       {@code <version>_<ISO instant>}
 * @param createdAt      when the backup started
 * @param parts          parts in archive order
 * @param entries        every part entry in archive order (the keepsake/ files are not listed)
 * @param entryCount     number of entries (totals)
 * @param totalBytes     sum of entry sizes (totals)
 * @param data           the size and SHA-256 of the compressed bytes before the manifest; null in a header
 */
public record Manifest(int formatVersion, String productName, String productVersion, String backupId,
                       Instant createdAt, List<Part> parts, List<Entry> entries, long entryCount, long totalBytes,
                       DataDigest data) {

    /** A header (no data digest). */
    public Manifest(int formatVersion, String productName, String productVersion, String backupId, Instant createdAt,
                    List<Part> parts, List<Entry> entries, long entryCount, long totalBytes) {
        this(formatVersion, productName, productVersion, backupId, createdAt, parts, entries, entryCount, totalBytes,
                null);
    }

    public Manifest {
        Objects.requireNonNull(productName, "productName");
        Objects.requireNonNull(productVersion, "productVersion");
        Objects.requireNonNull(backupId, "backupId");
        Objects.requireNonNull(createdAt, "createdAt");
        parts = List.copyOf(parts);
        entries = List.copyOf(entries);
    }

    /**
     * The compressed bytes of everything before the manifest: the header and every part entry. The compressed unit
     * that starts the manifest is marked (a marked gzip member, a zstd skippable frame), so a reader knows where they
     * end; under the signed manifest they authenticate the chunks, which therefore need no hash of their own.
     *
     * @param compressedBytes where the mark starts in the file
     * @param sha256          lower-case hex SHA-256 of the file's bytes before it
     */
    public record DataDigest(long compressedBytes, String sha256) {
        public DataDigest {
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    /**
     * One part.
     *
     * @param schemaVersion null when the job reported none
     */
    public record Part(String name, String type, String schemaVersion, Map<String, String> attributes,
                       long entryCount, long totalBytes) {
        public Part {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            attributes = Map.copyOf(attributes);
        }
    }

    /**
     * One entry.
     *
     * @param path       the full tar name (directories without trailing slash)
     * @param part       the part's name
     * @param name       the name relative to the part (for chunks: the stream name)
     * @param sha256     lower-case hex of the content; null for a chunk (the {@link DataDigest} covers it)
     * @param linkTarget for symlinks, else null
     * @param chunkIndex for chunks, else -1
     */
    public record Entry(String path, String part, String name, ArchiveEntry.Type type, long size, String sha256,
                        int mode, Instant lastModified, String linkTarget, int chunkIndex) {
        public Entry {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(part, "part");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            if ((sha256 == null) != (type == ArchiveEntry.Type.CHUNK)) {
                throw new IllegalArgumentException("entry '" + path + "': a chunk has no sha256, every other entry one");
            }
            Objects.requireNonNull(lastModified, "lastModified");
        }

        /** The SPI view of this entry. */
        public ArchiveEntry toArchiveEntry() {
            return new ArchiveEntry(name, type, size, mode, lastModified, linkTarget, chunkIndex);
        }
    }
}
