package dev.keepsake.postgres;

import dev.keepsake.core.spi.PartWriter;
import dev.keepsake.testfixtures.EditablePartArchive;
import dev.keepsake.testfixtures.TestJobContext;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.PostgresServer;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backups taken while writers keep moving money: every restored copy must keep the total and hold no half transfer.
 * Each transfer updates two accounts AND appends to a ledger table in one transaction; the accounts and the ledger are
 * copied by different connections (parallelism 2), so a restored copy is only consistent if both shared one snapshot.
 */
@ExtendWith(PostgresExtension.class)
class ConsistencyIT {

    private static final int ACCOUNTS = 200;
    private static final long INITIAL = 1_000;

    @Test
    void everyBackupTakenUnderConcurrentTransfersIsOneConsistentSnapshot(PostgresServer server, @TempDir Path dir)
            throws Exception {
        try (TestDatabase source = server.createDatabase("bank_src")) {
            source.execute("CREATE TABLE account (id integer PRIMARY KEY, balance bigint NOT NULL);"
                    + " CREATE TABLE ledger (id bigserial PRIMARY KEY, from_id integer NOT NULL, to_id integer NOT NULL,"
                    + " amount bigint NOT NULL, filler text);"
                    + " INSERT INTO account SELECT g, " + INITIAL + " FROM generate_series(1, " + ACCOUNTS + ") g;"
                    // enough ledger rows that copying it takes a while and overlaps with the writers
                    + " INSERT INTO ledger (from_id, to_id, amount, filler) SELECT 1, 1, 0, repeat('x', 200)"
                    + " FROM generate_series(1, 50000)");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong committed = new AtomicLong();
            List<Thread> writers = new ArrayList<>();
            List<Throwable> writerErrors = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                Thread t = new Thread(() -> transfer(source, stop, committed, writerErrors), "transfer-writer-" + w);
                t.setDaemon(true);
                t.start();
                writers.add(t);
            }
            try {
                awaitTransfers(committed, 200);
                PostgresPart backupPart = PostgresPart.builder().dataSource(source.dataSource()).parallelism(2)
                        .chunkSize(64 * 1024).build();
                for (int round = 0; round < 3; round++) {
                    Path spool = dir.resolve("round" + round);
                    Files.createDirectories(spool);
                    EditablePartArchive archive = new EditablePartArchive(spool);
                    // the first chunk waits until the writers committed more transfers: the backup's snapshot is
                    // then certainly older than data that is committed while the rest is copied
                    AtomicBoolean waited = new AtomicBoolean();
                    PartWriter writer = new BackupFailureIT.ForwardingWriter(archive.writer()) {
                        @Override
                        public void appendChunk(String streamName, ByteBuffer data) throws IOException {
                            if (waited.compareAndSet(false, true)) {
                                try {
                                    awaitTransfers(committed, committed.get() + 50);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                    throw new InterruptedIOException();
                                }
                            }
                            super.appendChunk(streamName, data);
                        }
                    };
                    backupPart.write(writer, new TestJobContext("round" + round));
                    try (TestDatabase target = server.createDatabase("bank_dst")) {
                        Transfer.restore(PostgresPart.builder().dataSource(target.dataSource()).build(), archive);
                        assertConsistent(target);
                    }
                }
            } finally {
                stop.set(true);
                for (Thread t : writers) {
                    t.join(30_000);
                }
            }
            assertThat(writerErrors).isEmpty();
            assertConsistent(source);
        }
    }

    private static void awaitTransfers(AtomicLong committed, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (committed.get() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(10); // polling a counter the writers advance; no timing is asserted
        }
        assertThat(committed.get()).isGreaterThanOrEqualTo(atLeast);
    }

    private static void transfer(TestDatabase db, AtomicBoolean stop, AtomicLong committed, List<Throwable> errors) {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement debit = c.prepareStatement("UPDATE account SET balance = balance - ? WHERE id = ?");
                 PreparedStatement credit = c.prepareStatement("UPDATE account SET balance = balance + ? WHERE id = ?");
                 PreparedStatement log = c.prepareStatement(
                         "INSERT INTO ledger (from_id, to_id, amount) VALUES (?, ?, ?)")) {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (!stop.get()) {
                    int from = 1 + random.nextInt(ACCOUNTS);
                    int to = 1 + random.nextInt(ACCOUNTS);
                    long amount = 1 + random.nextInt(50);
                    try {
                        debit.setLong(1, amount);
                        debit.setInt(2, from);
                        debit.executeUpdate();
                        log.setInt(1, from);
                        log.setInt(2, to);
                        log.setLong(3, amount);
                        log.executeUpdate();
                        credit.setLong(1, amount);
                        credit.setInt(2, to);
                        credit.executeUpdate();
                        c.commit();
                        committed.incrementAndGet();
                    } catch (SQLException e) {
                        c.rollback(); // deadlock between writers: retry
                        if (!"40P01".equals(e.getSQLState())) {
                            throw e;
                        }
                    }
                }
            }
        } catch (Throwable t) {
            synchronized (errors) {
                errors.add(t);
            }
        }
    }

    /** Total unchanged, and every account's balance equals its initial amount plus what the ledger says. */
    private static void assertConsistent(TestDatabase db) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT sum(balance), count(*) FROM account")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(INITIAL * ACCOUNTS);
                assertThat(rs.getInt(2)).isEqualTo(ACCOUNTS);
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM account a WHERE a.balance <> " + INITIAL
                    + " + coalesce((SELECT sum(amount) FROM ledger WHERE to_id = a.id), 0)"
                    + " - coalesce((SELECT sum(amount) FROM ledger WHERE from_id = a.id), 0)")) {
                rs.next();
                assertThat(rs.getInt(1)).as("accounts whose balance disagrees with the ledger").isZero();
            }
        }
    }
}
