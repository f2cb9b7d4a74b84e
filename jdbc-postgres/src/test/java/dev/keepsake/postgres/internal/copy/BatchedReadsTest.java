package dev.keepsake.postgres.internal.copy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link BatchedReads} over real loopback sockets: a server thread writes, the test reads as pgjdbc does, and a
 * {@link CountingInput} under the stream counts the reads of the socket itself.
 */
class BatchedReadsTest {

    private static final int PGJDBC_READ = 8192;

    private final ExecutorService pool = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopWriter() {
        pool.shutdownNow();
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    /**
     * A connected pair: the server side writes {@code data} (in one write) and closes; the client reads through
     * {@code in}, batched reads over the counted socket stream {@code socket}.
     */
    private record Pair(ServerSocket server, Socket client, Future<?> writer, CountingInput socket, BatchedReads in)
            implements AutoCloseable {
        @Override
        public void close() throws Exception {
            client.close();
            server.close();
            try {
                writer.get();
            } catch (java.util.concurrent.ExecutionException e) {
                // a test that stops reading early closes the client while the writer still writes: that write fails
                // with a broken pipe or a reset, which is no failure of the test
                if (!(e.getCause() instanceof java.net.SocketException)) {
                    throw e;
                }
            }
        }
    }

    private Pair pair(byte[] data) throws IOException {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Future<?> writer = pool.submit(() -> {
            try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                out.write(data);
            }
            return null;
        });
        Socket client = new Socket();
        client.connect(server.getLocalSocketAddress());
        CountingInput socket = new CountingInput(client.getInputStream());
        return new Pair(server, client, writer, socket, new BatchedReads(socket));
    }

    /** Reads to the end in reads of {@code readSize}; returns the bytes and counts the reads in {@code reads[0]}. */
    private static byte[] readAll(InputStream in, int readSize, long[] reads) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] b = new byte[readSize];
        int n;
        while ((n = in.read(b, 0, readSize)) >= 0) {
            reads[0]++;
            assertThat(n).isPositive();
            all.write(b, 0, n);
        }
        return all.toByteArray();
    }

    @Test
    void readsPassStraightThroughOutsideABatchingScope() throws Exception {
        byte[] data = randomBytes(1 << 20);
        try (Pair p = pair(data)) {
            long[] reads = {0};
            assertThat(readAll(p.in(), PGJDBC_READ, reads)).isEqualTo(data);
            assertThat(p.socket().batchedFills()).isZero();
            assertThat(p.socket().reads()).as("one read of the socket per read, and one finding the end")
                    .isEqualTo(reads[0] + 1);
        }
    }

    @Test
    void readsInsideAScopeTakeManyOfTheCallersReadsFromTheSocketAtOnce() throws Exception {
        byte[] data = randomBytes(8 << 20);
        try (Pair p = pair(data); BatchedReads.Scope scope = BatchedReads.batching()) {
            long[] reads = {0};
            assertThat(readAll(p.in(), PGJDBC_READ, reads)).isEqualTo(data);
            // 1024 reads of 8 KiB by the caller; each fill takes up to 256 KiB, and pauses when it found little
            assertThat(p.socket().reads()).isPositive().isLessThan(reads[0] / 2)
                    .as("every read of the socket is a batched fill").isEqualTo(p.socket().batchedFills());
        }
    }

    @Test
    void bytesBufferedInAScopeAreReadFirstAfterItEnds() throws Exception {
        byte[] data = randomBytes(3 << 20);
        try (Pair p = pair(data)) {
            BatchedReads in = p.in();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try (BatchedReads.Scope scope = BatchedReads.batching()) {
                all.write(in.read());
                byte[] b = new byte[100];
                int n = in.read(b, 0, b.length);
                all.write(b, 0, n);
            }
            long fills = p.socket().batchedFills();
            long buffered = p.socket().bytes() - all.size();
            assertThat(buffered).isPositive();
            assertThat((long) in.available()).isEqualTo(buffered);
            all.write(readAll(in, PGJDBC_READ, new long[1]));
            assertThat(all.toByteArray()).isEqualTo(data);
            assertThat(p.socket().batchedFills()).isEqualTo(fills);
        }
    }

    @Test
    void theEndOfTheStreamIsReportedInsideAScopeByBothReadMethods() throws Exception {
        byte[] data = randomBytes(10);
        try (Pair p = pair(data); BatchedReads.Scope scope = BatchedReads.batching()) {
            InputStream in = p.in();
            for (byte expected : data) {
                assertThat(in.read()).isEqualTo(expected & 0xff);
            }
            assertThat(in.read()).isEqualTo(-1);
            assertThat(in.read(new byte[4], 0, 4)).isEqualTo(-1);
            assertThat(in.read(new byte[4], 0, 0)).isZero();
        }
    }

    @Test
    void scopesNestAndEndingTheInnerOneKeepsTheOuterOne() throws Exception {
        byte[] data = randomBytes(1 << 20);
        try (Pair p = pair(data)) {
            BatchedReads in = p.in();
            long[] consumed = {0};
            try (BatchedReads.Scope outer = BatchedReads.batching()) {
                try (BatchedReads.Scope inner = BatchedReads.batching()) {
                    in.read();
                    consumed[0]++;
                }
                drain(p, consumed);
                long fills = p.socket().batchedFills();
                assertThat(in.read()).isNotEqualTo(-1);
                consumed[0]++;
                assertThat(p.socket().batchedFills()).as("still batching in the outer scope").isEqualTo(fills + 1);
            }
            drain(p, consumed);
            long fills = p.socket().batchedFills();
            long reads = p.socket().reads();
            in.read();
            assertThat(p.socket().batchedFills()).isEqualTo(fills);
            assertThat(p.socket().reads()).isEqualTo(reads + 1);
            assertThat(bufferOf(in)).as("a drained buffer is let go outside a scope").isNull();
        }
    }

    @Test
    void aBatchingSocketReadsThroughOneBatchedReadsStream() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             BatchingSocket socket = new BatchingSocket()) {
            socket.connect(server.getLocalSocketAddress());
            assertThat(socket.getInputStream()).isInstanceOf(BatchedReads.class).isSameAs(socket.getInputStream());
        }
    }

    /** Reads what is buffered (what the socket delivered but the caller did not read), so the next read goes to it. */
    private static void drain(Pair p, long[] consumed) throws IOException {
        long buffered = p.socket().bytes() - consumed[0];
        p.in().readNBytes((int) buffered);
        consumed[0] += buffered;
    }

    /** The stream's buffer: a memory property no API shows, read reflectively. */
    private static Object bufferOf(BatchedReads in) throws ReflectiveOperationException {
        Field buffer = BatchedReads.class.getDeclaredField("buffer");
        buffer.setAccessible(true);
        return buffer.get(in);
    }
}
