package dev.keepsake.postgres;

import dev.keepsake.core.OperationStatus;
import dev.keepsake.postgres.testing.internal.DatabaseContent;
import dev.keepsake.testkit.PostgresServer;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Backups restore into newer majors (13 → 15, 13 → 17) and are refused, naming both versions, by older ones. */
class CrossMajorIT {

    @Test
    void aBackupFromPostgres13RestoresIntoPostgres15IdenticallyByPgDumpAndByRows(@TempDir Path dir) throws Exception {
        PostgresServer old = PostgresServer.shared(13);
        PostgresServer current = PostgresServer.shared(15);
        try (TestDatabase source = old.createDatabase("x13_src");
             TestDatabase target = current.createDatabase("x15_dst")) {
            PagilaRoundTripIT.loadPagila(source);
            NastyFixture.loadNasty(source);
            target.execute("ALTER SCHEMA public OWNER TO " + current.superuser()); // as on 13 (environment)
            Path archive = EngineTransfer.backup(PostgresPart.builder().dataSource(source.dataSource()).build(),
                    dir.resolve("backup"));
            OperationStatus status = EngineTransfer.restore(PostgresPart.builder().dataSource(target.dataSource())
                    .build(), archive, dir.resolve("restore"));
            assertThat(status.succeeded()).as(status.statusMessage()).isTrue();

            assertThat(content(target, false)).isEqualTo(content(source, false));
            assumeTrue(PgDump.canDump(current) && PgDump.canDump(old), "local pg_dump cannot read both servers");
            // what PostgreSQL 14+ adds by itself: an explicit IN mode in a procedure's arguments, and the multirange
            // type every range type gets
            assertThat(PgDump.schema(target)
                    .replace("CREATE PROCEDURE plain.noop(IN x integer)", "CREATE PROCEDURE plain.noop(x integer)")
                    .replace("subtype = double precision,\n    multirange_type_name = plain.floatmultirange",
                            "subtype = double precision"))
                    .isEqualTo(PgDump.schema(source));
        }
    }

    @Test
    void aBackupFromPostgres13RestoresIntoPostgres17WithTheSameObjectsAndRows(@TempDir Path dir) throws Exception {
        PostgresServer old = PostgresServer.shared(13);
        PostgresServer newer = PostgresServer.shared(17);
        try (TestDatabase source = old.createDatabase("x13_src");
             TestDatabase target = newer.createDatabase("x17_dst")) {
            PagilaRoundTripIT.loadPagila(source);
            NastyFixture.loadNasty(source);
            Path archive = EngineTransfer.backup(PostgresPart.builder().dataSource(source.dataSource()).build(),
                    dir.resolve("backup"));
            OperationStatus status = EngineTransfer.restore(PostgresPart.builder().dataSource(target.dataSource())
                    .build(), archive, dir.resolve("restore"));
            assertThat(status.succeeded()).as(status.statusMessage()).isTrue();

            // inventory by kind and identity (deparsed definitions may legitimately differ across majors) and rows
            assertThat(content(target, false)).isEqualTo(content(source, false));
        }
    }

    @Test
    void aBackupFromPostgres17IsRefusedByPostgres15NamingBothVersions(@TempDir Path dir) throws Exception {
        PostgresServer newer = PostgresServer.shared(17);
        PostgresServer current = PostgresServer.shared(15);
        try (TestDatabase source = newer.createDatabase("x17_src");
             TestDatabase target = current.createDatabase("x15_dst")) {
            source.execute("CREATE TABLE t (x integer); INSERT INTO t VALUES (1)");
            target.execute("CREATE TABLE t (y text); INSERT INTO t VALUES ('untouched')");
            Path archive = EngineTransfer.backup(PostgresPart.builder().dataSource(source.dataSource()).build(),
                    dir.resolve("backup"));
            OperationStatus status = EngineTransfer.restore(PostgresPart.builder().dataSource(target.dataSource())
                    .build(), archive, dir.resolve("restore"));

            assertThat(status.succeeded()).isFalse();
            assertThat(status.statusMessage()).contains("(major 17)").contains("(major 15)")
                    .contains("Nothing was changed");
            assertThat(NastyDataRoundTripIT.single(target, "SELECT y FROM public.t")).isEqualTo("untouched");
        }
    }

    private static String content(TestDatabase db, boolean definitions) throws Exception {
        try (Connection c = db.connect()) {
            DatabaseContent content = DatabaseContent.read(c, definitions);
            return content.objects() + "\n" + content.tables();
        }
    }
}
