package dev.keepsake.examples;

import dev.keepsake.core.Version;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.MigrateResult;

import javax.sql.DataSource;

/**
 * The demo application's database schema, managed by Flyway from {@code classpath:db/migration} ({@code V1} customers
 * and orders, {@code V2} an order status). Each release of the demo migrates up to its own schema version (see
 * {@link DemoProduct#schemaVersion}); the same call runs after a restore, so an older backup is migrated forward.
 * Thread-safe (Flyway takes a lock in the database).
 */
final class DemoSchema {

    private final DataSource dataSource;
    private final String target;

    DemoSchema(DataSource dataSource, Version release) {
        this.dataSource = dataSource;
        this.target = DemoProduct.schemaVersion(release);
    }

    /**
     * Applies the migrations the running release knows that the database lacks.
     *
     * @return how many migrations ran
     */
    int migrate() {
        MigrateResult result = Flyway.configure(DemoSchema.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .target(MigrationVersion.fromVersion(target))
                // a schema newer than this release knows (a newer demo ran here) is not an error for the demo
                .ignoreMigrationPatterns("*:future")
                .load()
                .migrate();
        return result.migrationsExecuted;
    }

    String targetVersion() {
        return target;
    }
}
