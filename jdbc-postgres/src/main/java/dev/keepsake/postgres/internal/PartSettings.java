package dev.keepsake.postgres.internal;

import dev.keepsake.postgres.internal.schema.SchemaScope;
import dev.keepsake.postgres.spi.SchemaVersionProvider;

import java.time.Duration;
import java.util.Objects;

/**
 * The validated configuration of a PostgreSQL part (built by the public builder). Immutable.
 *
 * @param connections           where connections come from
 * @param partName              the part's name in the archive
 * @param scope                 which schemas and tables the backup covers
 * @param parallelism           connections copying tables in parallel during a backup (≥ 1)
 * @param chunkSize             target size of a data chunk in bytes (a chunk holds whole rows; a row larger than
 *                              this gets a chunk of its own)
 * @param versionProvider       reads the schema version
 * @param maintenanceWorkMemMiB {@code maintenance_work_mem} for the restore's transaction, in MiB
 * @param lockTimeout           how long a backup or restore waits for a table lock (zero: forever)
 * @param copyFreeze            whether the restore uses {@code COPY ... FREEZE}
 * @param binaryCopy            whether the backup copies the tables that allow it in binary format ({@link dev.keepsake.postgres.internal.copy.BinaryCopy})
 * @param restoreParallelism    connections loading big tables in parallel before the restore's transaction
 *                              ({@link dev.keepsake.postgres.internal.restore.StagedLoad}); 1 loads everything in that transaction
 * @param stagingMinBytes       size on disk (with indexes) from which a table is staged
 */
public record PartSettings(ConnectionSource connections, String partName, SchemaScope scope, int parallelism,
                           int chunkSize, SchemaVersionProvider versionProvider, int maintenanceWorkMemMiB,
                           Duration lockTimeout, boolean copyFreeze, boolean binaryCopy, int restoreParallelism,
                           long stagingMinBytes) {

    public PartSettings {
        Objects.requireNonNull(connections, "connections");
        Objects.requireNonNull(partName, "partName");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(versionProvider, "versionProvider");
        Objects.requireNonNull(lockTimeout, "lockTimeout");
    }
}
