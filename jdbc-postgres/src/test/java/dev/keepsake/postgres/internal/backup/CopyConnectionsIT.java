package dev.keepsake.postgres.internal.backup;

import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The backup's extra copy connections, opened in the background against a real server. */
@ExtendWith(PostgresExtension.class)
class CopyConnectionsIT {

    private static long sessionsNamed(TestDatabase db, String applicationName) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_catalog.pg_stat_activity"
                     + " WHERE application_name = '" + applicationName + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Waits (up to 30 s) for the server to see {@code expected} sessions of that name: backends end asynchronously. */
    private static long awaitSessions(TestDatabase db, String applicationName, long expected) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        long n = sessionsNamed(db, applicationName);
        while (n != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
            n = sessionsNamed(db, applicationName);
        }
        return n;
    }

    private static void name(Connection c, String applicationName) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET application_name = '" + applicationName + "'");
        }
    }

    @Test
    void connectionsNotTakenAreClosedAndTakenOnesStayOpen(TestDatabase db) throws Exception {
        List<Connection> taken;
        try (CopyConnections connections = new CopyConnections(db::connect, 3, c -> name(c, "copy-extra"), "op-1")) {
            assertThat(connections.expected()).isEqualTo(3);
            taken = connections.take(1);
            assertThat(awaitSessions(db, "copy-extra", 3)).isEqualTo(3);
        }
        try {
            assertThat(taken).hasSize(1);
            assertThat(taken.get(0).isClosed()).isFalse();
            assertThat(awaitSessions(db, "copy-extra", 1)).isEqualTo(1);
        } finally {
            taken.get(0).close();
        }
        assertThat(awaitSessions(db, "copy-extra", 0)).isZero();
    }

    @Test
    void aFailedSetUpClosesItsConnectionAndIsReportedByTake(TestDatabase db) throws Exception {
        try (CopyConnections connections = new CopyConnections(db::connect, 2, c -> {
            name(c, "copy-failing");
            try (Statement st = c.createStatement()) {
                st.execute("SET TRANSACTION SNAPSHOT '00000003-00000002-1'"); // no such snapshot, no transaction
            }
        }, "op-2")) {
            assertThatThrownBy(() -> connections.take(2)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("a snapshot-importing transaction must have isolation level");
        }
        assertThat(awaitSessions(db, "copy-failing", 0)).isZero();
    }

    @Test
    void whenOneOfSeveralFailsTheOthersAreClosedToo(TestDatabase db) throws Exception {
        // which of the two fails depends on the threads' order; repeated, so that the first one succeeding is covered
        for (int round = 0; round < 10; round++) {
            AtomicInteger setUps = new AtomicInteger();
            try (CopyConnections connections = new CopyConnections(db::connect, 2, c -> {
                name(c, "copy-one-failing");
                if (setUps.incrementAndGet() == 2) {
                    throw new SQLException("the second set-up fails");
                }
            }, "op-4")) {
                assertThatThrownBy(() -> connections.take(2)).hasMessage("the second set-up fails");
            }
            assertThat(awaitSessions(db, "copy-one-failing", 0)).isZero();
        }
    }

    @Test
    void noConnectionsMeansNoThreads(TestDatabase db) throws Exception {
        try (CopyConnections connections = new CopyConnections(db::connect, 0, c -> { }, "op-3")) {
            assertThat(connections.expected()).isZero();
            assertThat(connections.take(1)).isEmpty();
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().endsWith("-op-3"));
        }
    }
}
