package dev.keepsake.postgres;

import dev.keepsake.postgres.testing.internal.DatabaseContent;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.PostgresServer;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A restore whose single transaction runs out of lock space says so and says what to set. Rather than creating tens
 * of thousands of tables, another session first fills the server's shared lock table with session-level advisory
 * locks (same table, same error) and leaves only a little room: the restore of pagila then really runs out of locks.
 */
@ExtendWith(PostgresExtension.class)
class LockExhaustionIT {

    @Test
    void aRestoreThatRunsOutOfLocksNamesMaxLocksPerTransactionAndLeavesTheDatabaseAsBefore(PostgresServer server,
                                                                                         @TempDir Path dir)
            throws Exception {
        try (TestDatabase source = server.createDatabase("locks_src");
             TestDatabase target = server.createDatabase("locks_dst")) {
            PagilaRoundTripIT.loadPagila(source);
            var archive = Transfer.backup(PostgresPart.builder().dataSource(source.dataSource()).build(), dir);
            target.execute("CREATE TABLE public.before (x integer); INSERT INTO public.before VALUES (1)");
            String before = content(target);

            try (Connection hog = target.connect(); Statement st = hog.createStatement()) {
                // take session locks until the lock table is full, then give back just a few
                st.execute("DO $$ DECLARE i bigint := 0; BEGIN"
                        + " BEGIN LOOP i := i + 1; PERFORM pg_advisory_lock(i); END LOOP;"
                        + " EXCEPTION WHEN out_of_memory THEN PERFORM set_config('keepsake.hogged', (i - 1)::text, false); END;"
                        + " END $$");
                long hogged;
                try (ResultSet rs = st.executeQuery("SELECT current_setting('keepsake.hogged')::bigint")) {
                    rs.next();
                    hogged = rs.getLong(1);
                }
                assertThat(hogged).isGreaterThan(100);
                st.execute("SELECT pg_advisory_unlock(g) FROM generate_series(" + (hogged - 40) + ", " + hogged + ") g");

                assertThatThrownBy(() -> Transfer.restore(PostgresPart.builder().dataSource(target.dataSource()).build(),
                        archive))
                        .isInstanceOf(PostgresRestoreException.class)
                        .hasMessageContaining("ran out of lock space")
                        .hasMessageContaining("Set max_locks_per_transaction to at least")
                        .hasMessageContaining("Nothing was changed")
                        .satisfies(e -> LoggerFactory.getLogger(LockExhaustionIT.class).info("{}", e.getMessage()));
            }
            assertThat(content(target)).isEqualTo(before);
        }
    }

    private static String content(TestDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            DatabaseContent content = DatabaseContent.read(c, true);
            return content.objects() + "\n" + content.tables();
        }
    }
}
