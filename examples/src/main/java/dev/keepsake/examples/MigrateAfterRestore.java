package dev.keepsake.examples;

import dev.keepsake.core.BackupDescription;
import dev.keepsake.core.MaintenanceHooks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a successful restore, runs the demo's Flyway migrations, so a backup from an older release (e.g. 1.1.0,
 * schema V1) is migrated forward to the running release's schema. A migration failure marks the restore failed with
 * Flyway's reason: the data is back, but the application needs attention. Thread-safe.
 */
final class MigrateAfterRestore implements MaintenanceHooks {

    private static final Logger LOG = LoggerFactory.getLogger(MigrateAfterRestore.class);

    private final DemoSchema schema;

    MigrateAfterRestore(DemoSchema schema) {
        this.schema = schema;
    }

    @Override
    public void afterRestore(String operationId, BackupDescription backup, boolean succeeded) {
        if (!succeeded) {
            return;
        }
        int applied = schema.migrate();
        LOG.info("{} - restored a backup of {} {}; Flyway applied {} migration(s), schema now at version {}",
                operationId, backup.productName(), backup.productVersion(), applied, schema.targetVersion());
    }
}
