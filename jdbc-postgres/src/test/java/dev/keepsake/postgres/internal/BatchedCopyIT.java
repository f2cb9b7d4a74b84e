package dev.keepsake.postgres.internal;

import dev.keepsake.core.spi.PartWriter;
import dev.keepsake.postgres.internal.schema.TableRef;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/** A table copied through {@link dev.keepsake.postgres.CopySocketFactory}'s sockets, against a real server. */
@ExtendWith(PostgresExtension.class)
class BatchedCopyIT {

    private static final TableRef TABLE = new TableRef("public", "rows", 0,
            List.of("id", "name", "doc", "payload", "amount"));

    /** Collects the chunks of one stream. */
    private static final class Collecting implements PartWriter {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public OutputStream addEntry(dev.keepsake.core.spi.ArchiveEntry entry) {
            throw new UnsupportedOperationException();
        }

        @Override
        public synchronized void appendChunk(String streamName, ByteBuffer data) {
            bytes.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
        }

        @Override
        public OutputStream openStream(String streamName, int chunkSize) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void putAttribute(String key, String value) {
        }
    }

    private static byte[] copy(Connection c, boolean binary) throws Exception {
        ExecutorService appender = Executors.newSingleThreadExecutor();
        try {
            Collecting out = new Collecting();
            new TableCopier(1 << 20, appender).copy(c, TABLE, null, binary, "rows", out, () -> false);
            return out.bytes.toByteArray();
        } finally {
            appender.shutdownNow();
        }
    }

    @Test
    void aTableCopiedThroughBatchingSocketsIsByteForByteTheSameAndOrdinaryQueriesAreNotBatched(TestDatabase db)
            throws Exception {
        db.execute("CREATE TABLE public.rows (id bigint PRIMARY KEY, name text, doc jsonb, payload bytea, amount numeric);"
                + " INSERT INTO public.rows SELECT g, md5(g::text), jsonb_build_object('g', g, 'tags', ARRAY['a', 'b']),"
                + " decode(md5(g::text), 'hex'), g / 7.0 FROM generate_series(1, 200000) g");
        ConnectionSource batching = ConnectionSource.of(db.jdbcUrl(), db.connectionProperties());
        for (boolean binary : new boolean[]{true, false}) {
            byte[] plain;
            try (Connection c = db.connect()) {
                plain = copy(c, binary);
            }
            try (Connection c = batching.open()) {
                long before = BatchedReads.allFills();
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT count(*), sum(length(name)) FROM public.rows")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(200_000);
                }
                assertThat(BatchedReads.allFills()).as("a query outside a copy is not batched").isEqualTo(before);

                byte[] batched = copy(c, binary);
                assertThat(BatchedReads.allFills()).as("the copy's reads were batched").isGreaterThan(before);
                assertThat(batched).hasSize(plain.length).isEqualTo(plain);

                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 42")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("the connection works on after the copy").isEqualTo(42);
                }
            }
        }
    }
}
