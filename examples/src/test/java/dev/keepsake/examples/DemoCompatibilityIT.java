package dev.keepsake.examples;

import dev.keepsake.core.ArchiveKey;
import dev.keepsake.core.ErrorCode;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.core.OperationStatus;
import dev.keepsake.core.RestoreSource;
import dev.keepsake.core.Version;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's version story end to end on a real database: a backup from 1.1.0 (schema V1) is restored by 1.3.0 and
 * migrated forward by Flyway in the after-restore hook; a backup from 1.0.0 is refused naming 1.2.9.
 */
@ExtendWith(PostgresExtension.class)
class DemoCompatibilityIT {

    private static final ArchiveKey KEY = ArchiveKeySource.toKey(new byte[32]);

    @TempDir
    Path tmp;

    private Path backupAs(String release, TestDatabase db) throws Exception {
        Version v = Version.parse(release);
        new DemoSchema(db.dataSource(), v).migrate();
        try (MaintenanceEngine engine = EngineSetup.builder(v, db.dataSource(), List.of())
                .workDirectory(tmp.resolve("engine-" + release)).signingKey(KEY).build()) {
            OperationStatus s = engine.startBackup().completion().get(2, TimeUnit.MINUTES);
            assertThat(s.succeeded()).as(s.statusMessage()).isTrue();
            Path copy = tmp.resolve(release + ".tgz");
            try (InputStream in = engine.latestBackup().orElseThrow().open(0)) {
                Files.copy(in, copy);
            }
            return copy;
        }
    }

    private OperationStatus restoreAsCurrent(Path archive, TestDatabase db) throws Exception {
        DemoSchema schema = new DemoSchema(db.dataSource(), DemoProduct.CURRENT);
        schema.migrate(); // the running release's schema, as serve leaves it at start
        try (MaintenanceEngine engine = EngineSetup.builder(DemoProduct.CURRENT, db.dataSource(), List.of())
                .workDirectory(tmp.resolve("engine-current")).signingKey(KEY)
                .hooks(new MigrateAfterRestore(schema)).build()) {
            return engine.startRestore(RestoreSource.of(archive)).completion().get(2, TimeUnit.MINUTES);
        }
    }

    private static String query(TestDatabase db, String sql) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void backupFromAnOlderSchemaIsRestoredAndMigratedForwardByFlyway(TestDatabase db) throws Exception {
        Path archive = backupAs("1.1.0", db);
        assertThat(query(db, "SELECT max(version) FROM flyway_schema_history WHERE success")).isEqualTo("1");

        OperationStatus s = restoreAsCurrent(archive, db);

        assertThat(s.succeeded()).as(s.statusMessage()).isTrue();
        assertThat(query(db, "SELECT max(version::int) FROM flyway_schema_history WHERE success")).isEqualTo("2");
        assertThat(query(db, "SELECT count(*) FROM customer_order WHERE status = 'placed'")).isEqualTo("3");
    }

    @Test
    void backupFromBeforeTheBarrierIsRefusedNamingTheLastReleaseThatCanRestoreIt(TestDatabase db) throws Exception {
        Path archive = backupAs("1.0.0", db);
        db.execute("INSERT INTO customer (name, email) VALUES ('Marker', 'marker@example.org')");

        OperationStatus s = restoreAsCurrent(archive, db);

        assertThat(s.succeeded()).isFalse();
        assertThat(s.errorCode()).contains(ErrorCode.INCOMPATIBLE_VERSION);
        assertThat(s.lastVersionThatCanRestore()).contains("1.2.9");
        assertThat(s.statusMessage()).contains("1.0.0").contains("1.2.9");
        assertThat(query(db, "SELECT count(*) FROM customer WHERE email = 'marker@example.org'")).isEqualTo("1");
    }
}
