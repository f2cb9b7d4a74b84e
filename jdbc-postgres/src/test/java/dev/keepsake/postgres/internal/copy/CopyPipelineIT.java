package dev.keepsake.postgres.internal.copy;

import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The restore's COPY feeder against a real server: consecutive chunks of one table go into one {@code COPY} (rows
 * written by one statement share its command id, {@code cmin}), anything else in between ends it, and a failure names
 * the run of chunks it happened in.
 */
@ExtendWith(PostgresExtension.class)
class CopyPipelineIT {

    private static final String TARGET = "copying data into table public.t";

    @Test
    void consecutiveTextChunksOfOneTableLoadInOneCopy(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE public.t (id integer, name text)");
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (CopyPipeline pipeline = new CopyPipeline(c, "test-copy")) {
                for (int chunk = 0; chunk < 3; chunk++) {
                    pipeline.copy("COPY public.t FROM STDIN", false, TARGET, chunk, textRows(chunk * 10, 10));
                }
                pipeline.finish();
            }
            assertThat(longOf(c, "SELECT count(*) FROM public.t")).isEqualTo(30);
            assertThat(longOf(c, "SELECT count(DISTINCT id) FROM public.t")).isEqualTo(30);
            assertThat(longOf(c, "SELECT count(DISTINCT cmin::text) FROM public.t")).isEqualTo(1);
            c.commit();
        }
    }

    @Test
    void binaryChunksShareOneHeaderAndTrailerAndKeepFreeze(TestDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            execute(c, "CREATE TABLE public.t (id integer)");
            try (CopyPipeline pipeline = new CopyPipeline(c, "test-copy")) {
                for (int chunk = 0; chunk < 4; chunk++) {
                    pipeline.copy("COPY public.t FROM STDIN" + BinaryCopy.options(true, true), true, TARGET, chunk,
                            binaryRows(chunk * 1000, 1000));
                }
                pipeline.finish();
            }
            assertThat(longOf(c, "SELECT count(*) FROM public.t")).isEqualTo(4000);
            assertThat(longOf(c, "SELECT sum(id) FROM public.t")).isEqualTo(3999L * 4000 / 2);
            assertThat(longOf(c, "SELECT count(DISTINCT cmin::text) FROM public.t")).isEqualTo(1);
            c.commit();
        }
    }

    @Test
    void aStatementOrAnotherTableBetweenChunksEndsTheCopy(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE public.t (id integer, name text); CREATE TABLE public.u (id integer, name text)");
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (CopyPipeline pipeline = new CopyPipeline(c, "test-copy")) {
                pipeline.copy("COPY public.t FROM STDIN", false, TARGET, 0, textRows(0, 5));
                pipeline.copy("COPY public.u FROM STDIN", false, "copying data into table public.u", 0,
                        textRows(0, 5));
                pipeline.copy("COPY public.t FROM STDIN", false, TARGET, 1, textRows(5, 5));
                pipeline.execute("CREATE INDEX t_id ON public.t (id)", "building an index");
                pipeline.copy("COPY public.t FROM STDIN", false, TARGET, 2, textRows(10, 5));
                pipeline.copy("COPY public.t FROM STDIN", false, TARGET, 3, textRows(15, 5));
                pipeline.finish();
            }
            assertThat(longOf(c, "SELECT count(*) FROM public.t")).isEqualTo(20);
            assertThat(longOf(c, "SELECT count(*) FROM public.u")).isEqualTo(5);
            // chunk 0; chunk 1 (after u's chunk); chunks 2 and 3 together (after the index)
            assertThat(longOf(c, "SELECT count(DISTINCT cmin::text) FROM public.t")).isEqualTo(3);
            assertThat(longOf(c, "SELECT count(DISTINCT cmin::text) FROM public.t WHERE id >= 10")).isEqualTo(1);
            assertThat(longOf(c, "SELECT count(*) FROM pg_catalog.pg_indexes WHERE indexname = 't_id'"))
                    .isEqualTo(1);
            c.rollback();
        }
    }

    @Test
    void aRowTheServerRejectsNamesTheRunOfChunksItWasIn(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE public.t (id integer, name text)");
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (CopyPipeline pipeline = new CopyPipeline(c, "test-copy")) {
                pipeline.copy("COPY public.t FROM STDIN", false, TARGET, 0, textRows(0, 5));
                pipeline.copy("COPY public.t FROM STDIN", false, TARGET, 1,
                        new ByteArrayInputStream("not a number\tx\n".getBytes(StandardCharsets.UTF_8)));
                assertThatThrownBy(pipeline::finish).isInstanceOf(SQLException.class)
                        .hasMessageContaining("invalid input syntax for type integer");
                assertThat(pipeline.failedWhile()).isEqualTo(TARGET + " (chunks 0 to 1, one COPY)");
            }
            c.rollback();
        }
        try (Connection c = db.connect()) {
            assertThat(longOf(c, "SELECT count(*) FROM public.t")).isZero();
        }
    }

    @Test
    void closingWithoutFinishingCancelsTheOpenCopyInsteadOfEndingIt(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE public.t (id integer, name text)");
        try (Connection c = db.connect(); Connection watcher = db.connect()) {
            // autocommit: a COPY that ended would be committed on its own, a cancelled one leaves nothing
            try (CopyPipeline pipeline = new CopyPipeline(c, "test-copy")) {
                pipeline.copy("COPY public.t FROM STDIN", false, TARGET, 0, textRows(0, 5000));
                pipeline.copy("COPY public.t FROM STDIN", false, TARGET, 1, textRows(5000, 5000));
                // close only once the server reads rows into the COPY that is still open (the driver holds back the
                // last few KiB until the COPY ends or is flushed)
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (longOf(watcher, "SELECT coalesce(max(tuples_processed), 0) FROM pg_catalog.pg_stat_progress_copy"
                        + " WHERE relid = 'public.t'::regclass") < 5000) {
                    assertThat(System.nanoTime()).as("the server read the rows in time").isLessThan(deadline);
                    Thread.onSpinWait();
                }
            }
            assertThat(longOf(c, "SELECT count(*) FROM public.t")).isZero();
        }
    }

    @Test
    void describesOneChunkARunOrATableOnly() {
        assertThat(CopyPipeline.describe(TARGET, 4, 4)).isEqualTo(TARGET + " (chunk 4)");
        assertThat(CopyPipeline.describe(TARGET, 2, 7)).isEqualTo(TARGET + " (chunks 2 to 7, one COPY)");
        assertThat(CopyPipeline.describe(TARGET, -1, -1)).isEqualTo(TARGET);
    }

    private static InputStream textRows(int from, int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            sb.append(i).append("\trow ").append(i).append('\n');
        }
        return new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Rows of one int4 column in COPY's binary format, without header and trailer (as chunks hold them). */
    private static InputStream binaryRows(int from, int count) {
        ByteBuffer b = ByteBuffer.allocate(count * 10);
        for (int i = from; i < from + count; i++) {
            b.putShort((short) 1).putInt(4).putInt(i);
        }
        return new ByteArrayInputStream(b.array());
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static long longOf(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }
}
