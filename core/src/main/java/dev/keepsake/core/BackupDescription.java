package dev.keepsake.core;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a verified archive's signed manifest says about the backup: used by {@link VersionCompatibility} and returned
 * by {@link MaintenanceEngine#verify}. Immutable.
 *
 * @param backupId       {@code <product version>_<ISO-8601 UTC start>}
 * @param productName    the product that made the backup
 * @param productVersion its version
 * @param createdAt      when the backup started
 * @param formatVersion  the archive format version
 * @param signedWithKeyId the id of the key whose HMAC verified, or empty for an unsigned archive (only accepted when
 *                       unsigned archives are allowed)
 * @param parts          the parts, in archive order
 * @param entryCount     number of entries in the manifest
 * @param totalBytes     sum of the entries' sizes
 */
public record BackupDescription(String backupId, String productName, Version productVersion, Instant createdAt,
                                int formatVersion, Optional<String> signedWithKeyId, List<Part> parts,
                                long entryCount, long totalBytes) {

    public BackupDescription {
        parts = List.copyOf(parts);
    }

    /** One part as the manifest lists it. */
    public record Part(String name, String type, Optional<String> schemaVersion, Map<String, String> attributes,
                       long entryCount, long totalBytes) {
        public Part {
            attributes = Map.copyOf(attributes);
        }
    }

    /** The part with this name, if present. */
    public Optional<Part> part(String name) {
        return parts.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
