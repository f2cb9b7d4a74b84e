package dev.keepsake.postgres.spi;

import dev.keepsake.postgres.internal.FlywaySchemaVersion;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Reads the version of the database's schema (e.g. the latest applied migration), which the backup records in the
 * archive's manifest for the product's {@code VersionCompatibility}. Implementations must be thread-safe and
 * side-effect free.
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

    /**
     * The default: the highest successfully applied, not undone, versioned migration in Flyway's
     * {@code flyway_schema_history} table, found in the first schema of the default search path that has one (any
     * schema otherwise); empty when no such table exists.
     */
    static SchemaVersionProvider flyway() {
        return new FlywaySchemaVersion("flyway_schema_history");
    }

    /** Like {@link #flyway()} for a history table with another name (Flyway's {@code table} setting). */
    static SchemaVersionProvider flyway(String historyTable) {
        return new FlywaySchemaVersion(historyTable);
    }

    /** No schema version. */
    static SchemaVersionProvider none() {
        return connection -> Optional.empty();
    }
}
