package dev.keepsake.postgres;

import dev.keepsake.core.BackupDescription;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.testfixtures.EditablePartArchive;
import dev.keepsake.testfixtures.TestJobContext;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The latest applied Flyway migration becomes the part's schema version in the signed manifest. */
@ExtendWith(PostgresExtension.class)
class FlywaySchemaVersionIT {

    /** Flyway's own history table DDL (PostgreSQL). */
    static final String HISTORY = "CREATE TABLE public.flyway_schema_history (installed_rank integer NOT NULL PRIMARY KEY,"
            + " version varchar(50), description varchar(200) NOT NULL, type varchar(20) NOT NULL,"
            + " script varchar(1000) NOT NULL, checksum integer, installed_by varchar(100) NOT NULL,"
            + " installed_on timestamp NOT NULL DEFAULT now(), execution_time integer NOT NULL, success boolean NOT NULL)";

    @Test
    void theHighestSuccessfullyAppliedMigrationIsTheSchemaVersion(TestDatabase db, @TempDir Path dir) throws Exception {
        db.execute(HISTORY + "; INSERT INTO public.flyway_schema_history"
                + " (installed_rank, version, description, type, script, installed_by, execution_time, success) VALUES"
                + " (1, '1', 'init', 'SQL', 'V1__init.sql', 'app', 1, true),"
                + " (2, '1.10', 'more', 'SQL', 'V1_10__more.sql', 'app', 1, true),"
                + " (3, '1.9', 'out of order', 'SQL', 'V1_9__ooo.sql', 'app', 1, true),"
                + " (4, NULL, 'views', 'SQL', 'R__views.sql', 'app', 1, true),"
                + " (5, '2', 'failed', 'SQL', 'V2__failed.sql', 'app', 1, false)");
        PostgresPart part = PostgresPart.builder().dataSource(db.dataSource()).build();

        Path archive = EngineTransfer.backup(part, dir.resolve("b"));
        try (MaintenanceEngine engine = EngineTransfer.engine(part, dir.resolve("v"))) {
            BackupDescription description = engine.verify(archive);
            assertThat(description.part("postgres").orElseThrow().schemaVersion()).contains("1.10");
        }
    }

    @Test
    void aMigrationBetweenReadingTheVersionAndTakingTheSnapshotFailsTheBackup(TestDatabase db, @TempDir Path dir)
            throws Exception {
        db.execute("CREATE TABLE t (x integer)");
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        PostgresPart part = PostgresPart.builder().dataSource(db.dataSource())
                .schemaVersionProvider(c -> Optional.of(Integer.toString(reads.incrementAndGet()))).build();
        TestJobContext context = new TestJobContext("op-1");
        assertThat(part.schemaVersion(context)).contains("1");

        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> part.write(new EditablePartArchive(dir).writer(), context))
                .isInstanceOf(PostgresBackupException.class)
                .hasMessageContaining("changed from 1 to 2")
                .hasMessageContaining("run the backup again");
    }

    @Test
    void aHistoryTableOutsideTheBackupsScopeIsIgnored(TestDatabase db) throws Exception {
        db.execute("CREATE SCHEMA other; " + HISTORY.replace("public.", "other.") + "; INSERT INTO other.flyway_schema_history"
                + " (installed_rank, version, description, type, script, installed_by, execution_time, success) VALUES"
                + " (1, '7', 'init', 'SQL', 'V7__init.sql', 'app', 1, true); CREATE SCHEMA app; CREATE TABLE app.t (x int)");
        TestJobContext context = new TestJobContext("v");
        assertThat(PostgresPart.builder().dataSource(db.dataSource()).build().schemaVersion(context)).contains("7");
        assertThat(PostgresPart.builder().dataSource(db.dataSource()).includeSchemas(java.util.List.of("app")).build()
                .schemaVersion(context)).isEmpty();
        assertThat(PostgresPart.builder().dataSource(db.dataSource()).excludeSchemas(java.util.List.of("other")).build()
                .schemaVersion(context)).isEmpty();
    }

    @Test
    void aHistoryTableOfAnotherNameIsReadWhenNamed(TestDatabase db) throws Exception {
        db.execute(HISTORY.replace("public.flyway_schema_history", "public.migrations")
                + "; INSERT INTO public.migrations"
                + " (installed_rank, version, description, type, script, installed_by, execution_time, success) VALUES"
                + " (1, '3.1', 'init', 'SQL', 'V3_1__init.sql', 'app', 1, true)");
        TestJobContext context = new TestJobContext("v");
        assertThat(PostgresPart.builder().dataSource(db.dataSource())
                .schemaVersionProvider(FlywaySchemaVersion.historyTable("migrations")).build().schemaVersion(context))
                .contains("3.1");
        assertThat(PostgresPart.builder().dataSource(db.dataSource()).build().schemaVersion(context)).isEmpty();
    }

    @Test
    void withoutAHistoryTableThereIsNoSchemaVersion(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE t (x integer)");
        PostgresPart part = PostgresPart.builder().dataSource(db.dataSource()).build();
        assertThat(part.schemaVersion(new TestJobContext("v"))).isEqualTo(Optional.empty());
    }
}
