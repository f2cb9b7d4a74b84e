package dev.keepsake.postgres;

import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.PartWriter;
import dev.keepsake.testfixtures.EditablePartArchive;
import dev.keepsake.testfixtures.TestJobContext;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** A backup that fails or is interrupted stops all its copies, says why, and leaves no session behind. */
@ExtendWith(PostgresExtension.class)
class BackupFailureIT {

    private TestDatabase db;

    @BeforeEach
    void twoBigTables(TestDatabase db) throws SQLException {
        this.db = db;
        db.execute("CREATE TABLE a (id integer, t text); INSERT INTO a SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 150000) g;"
                + " CREATE TABLE b (id integer, t text); INSERT INTO b SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 150000) g");
    }

    @Test
    void aKilledCopyConnectionFailsTheBackupNamingTheTableAndClosesEverySession(@TempDir Path dir) throws Exception {
        EditablePartArchive spool = new EditablePartArchive(dir);
        AtomicInteger chunks = new AtomicInteger();
        PartWriter killing = new ForwardingWriter(spool.writer()) {
            @Override
            public void appendChunk(String streamName, ByteBuffer data) throws IOException {
                super.appendChunk(streamName, data);
                if (chunks.incrementAndGet() == 3) {
                    terminate("SELECT pg_terminate_backend(min(pid)) FROM pg_stat_activity"
                            + " WHERE application_name LIKE 'keepsake backup %'");
                }
            }
        };
        PostgresPart part = PostgresPart.builder().dataSource(db.dataSource()).chunkSize(64 * 1024).build();

        Throwable thrown = catchThrowable(() -> part.write(killing, new TestJobContext("kill")));

        assertThat(thrown).isInstanceOf(PostgresBackupException.class)
                .hasMessageContaining("while copying table public.");
        awaitNoBackupSessions();
    }

    @Test
    void anInterruptedBackupStopsThrowsInterruptedIoExceptionAndClosesEverySession(@TempDir Path dir)
            throws Exception {
        EditablePartArchive spool = new EditablePartArchive(dir);
        AtomicInteger chunks = new AtomicInteger();
        AtomicReference<Thread> runner = new AtomicReference<>();
        PartWriter interrupting = new ForwardingWriter(spool.writer()) {
            @Override
            public void appendChunk(String streamName, ByteBuffer data) throws IOException {
                super.appendChunk(streamName, data);
                if (chunks.incrementAndGet() == 3) {
                    runner.get().interrupt();
                }
            }
        };
        PostgresPart part = PostgresPart.builder().dataSource(db.dataSource()).chunkSize(64 * 1024).build();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flagKept = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                part.write(interrupting, new TestJobContext("interrupt"));
            } catch (Throwable e) {
                thrown.set(e);
            }
            flagKept.set(Thread.currentThread().isInterrupted());
        }, "backup-under-test");
        runner.set(t);
        t.start();
        t.join(120_000);

        assertThat(thrown.get()).isInstanceOf(InterruptedIOException.class).hasMessageContaining("interrupted");
        assertThat(flagKept.get()).as("interrupt flag restored").isTrue();
        assertThat(chunks.get()).as("stopped early").isLessThan(200);
        awaitNoBackupSessions();
    }

    @Test
    void aDatabaseWithLargeObjectsIsRefusedClearlyBeforeAnyDataIsWritten(@TempDir Path dir) throws Exception {
        db.execute("SELECT lo_from_bytea(0, '\\x00ff')");
        EditablePartArchive spool = new EditablePartArchive(dir);

        Throwable thrown = catchThrowable(() -> PostgresPart.builder().dataSource(db.dataSource()).build()
                .write(spool.writer(), new TestJobContext("lo")));

        assertThat(thrown).isInstanceOf(PostgresBackupException.class).hasMessageContaining("refused")
                .hasMessageContaining("large object");
        assertThat(spool.entries).isEmpty();
        awaitNoBackupSessions();
    }

    private void terminate(String sql) throws IOException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            assertThat(rs.getBoolean(1)).isTrue();
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }

    /** Sessions end asynchronously on the server after the client closes them: poll until they are gone. */
    private void awaitNoBackupSessions() throws Exception {
        int left = -1;
        for (int i = 0; i < 200 && left != 0; i++) {
            try (Connection c = db.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'keepsake backup %'")) {
                rs.next();
                left = rs.getInt(1);
            }
            if (left != 0) {
                Thread.sleep(50);
            }
        }
        assertThat(left).as("backup sessions left").isZero();
    }

    private static Throwable catchThrowable(ThrowingRunnable r) {
        try {
            r.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    static class ForwardingWriter implements PartWriter {
        private final PartWriter delegate;

        ForwardingWriter(PartWriter delegate) {
            this.delegate = delegate;
        }

        @Override
        public OutputStream addEntry(ArchiveEntry entry) throws IOException {
            return delegate.addEntry(entry);
        }

        @Override
        public void appendChunk(String streamName, ByteBuffer data) throws IOException {
            delegate.appendChunk(streamName, data);
        }

        @Override
        public OutputStream openStream(String streamName, int chunkSize) throws IOException {
            return delegate.openStream(streamName, chunkSize);
        }

        @Override
        public void putAttribute(String key, String value) {
            delegate.putAttribute(key, value);
        }
    }
}
