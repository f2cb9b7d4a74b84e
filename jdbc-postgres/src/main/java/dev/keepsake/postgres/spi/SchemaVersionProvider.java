package dev.keepsake.postgres.spi;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Reads the version of the database's schema (e.g. the latest applied migration), which the backup records in the
 * archive's manifest for the product's {@code VersionCompatibility}. Keepsake's own: Flyway's history
 * ({@code dev.keepsake.postgres.FlywaySchemaVersion}, the default) and {@link #none()}. Implementations must be
 * thread-safe and side-effect free.
 */
@FunctionalInterface
public interface SchemaVersionProvider {

    /**
     * Reads the schema version.
     *
     * @param connection a connection inside a read-only transaction (during a backup: the backup's snapshot), with
     *                   {@code search_path} empty, so qualify every name; owned by the caller — do not close it or
     *                   end its transaction
     * @return the version, or empty when the database has none
     */
    Optional<String> schemaVersion(Connection connection) throws SQLException;

    /** No schema version. */
    static SchemaVersionProvider none() {
        return connection -> Optional.empty();
    }
}
