package dev.keepsake.postgres;

import dev.keepsake.postgres.testing.RoundTripAssertion;
import dev.keepsake.core.OperationStatus;
import dev.keepsake.testkit.Fixtures;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.PostgresServer;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@ExtendWith(PostgresExtension.class)
class PagilaRoundTripIT {

    private static final Logger LOG = LoggerFactory.getLogger(PagilaRoundTripIT.class);
    static void loadPagila(TestDatabase db) throws Exception {
        Fixtures.loadPagila(db);
    }

    @Test
    void pagilaRoundTripsThroughTheEngineIdenticallyByPgDumpAndByRows(PostgresServer server, @TempDir Path dir)
            throws Exception {
        try (TestDatabase source = server.createDatabase("pagila_src");
             TestDatabase target = server.createDatabase("pagila_dst")) {
            loadPagila(source);
            // pagila makes the superuser own public; the restore keeps the target's public schema (owner, grants,
            // comment belong to the environment), so give the target the same environment
            target.execute("ALTER SCHEMA public OWNER TO " + server.superuser());
            long t0 = System.nanoTime();
            Path archive = EngineTransfer.backup(PostgresPart.builder().dataSource(source.dataSource()).build(),
                    dir.resolve("backup"));
            long t1 = System.nanoTime();
            OperationStatus status = EngineTransfer.restore(PostgresPart.builder().dataSource(target.dataSource())
                    .build(), archive, dir.resolve("restore"));
            long t2 = System.nanoTime();
            assertThat(status.succeeded()).as(status.statusMessage()).isTrue();
            LOG.info("pagila through the engine: backup {} ms, restore {} ms, archive {} bytes",
                    (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, Files.size(archive));

            RoundTripAssertion.assertSameContent(source.dataSource(), target.dataSource());
            assumeTrue(PgDump.canDump(server), "local pg_dump cannot read this server");
            assertThat(PgDump.schema(target)).isEqualTo(PgDump.schema(source));
        }
    }

    @Test
    void roundTripAssertionPassesForPagilaAndFailsForADifferentDatabase(PostgresServer server) throws Exception {
        try (TestDatabase source = server.createDatabase("pagila_src");
             TestDatabase target = server.createDatabase("pagila_dst");
             TestDatabase other = server.createDatabase("other")) {
            loadPagila(source);
            RoundTripAssertion.assertRoundTrips(source.dataSource(), target.dataSource());

            loadPagila(other);
            other.execute("UPDATE public.actor SET last_name = 'CHANGED' WHERE actor_id = 1;"
                    + " ALTER TABLE public.film ADD COLUMN extra integer");
            assertThatThrownBy(
                            () -> RoundTripAssertion.assertSameContent(source.dataSource(), other.dataSource()))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("different table data: public.actor")
                    .hasMessageContaining("unexpected object: column public.film.extra");
        }
    }
}
