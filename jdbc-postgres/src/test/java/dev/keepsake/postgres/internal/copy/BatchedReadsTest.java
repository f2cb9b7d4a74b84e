package dev.keepsake.postgres.internal.copy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link BatchedReads} over real loopback sockets: a server thread writes, the test reads as pgjdbc does. */
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

    /** A connected pair: the server side writes {@code data} (in one write) and closes; returns the client socket. */
    private record Pair(ServerSocket server, Socket client, Future<?> writer) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            client.close();
            server.close();
            writer.get();
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
        BatchingSocket client = new BatchingSocket();
        client.connect(server.getLocalSocketAddress());
        return new Pair(server, client, writer);
    }

    private static byte[] readAll(InputStream in, int readSize) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] b = new byte[readSize];
        int n;
        while ((n = in.read(b, 0, readSize)) >= 0) {
            assertThat(n).isPositive();
            all.write(b, 0, n);
        }
        return all.toByteArray();
    }

    @Test
    void readsPassStraightThroughOutsideABatchingScope() throws Exception {
        byte[] data = randomBytes(1 << 20);
        try (Pair p = pair(data)) {
            BatchedReads in = (BatchedReads) p.client().getInputStream();
            assertThat(readAll(in, PGJDBC_READ)).isEqualTo(data);
            assertThat(in.fills()).isZero();
        }
    }

    @Test
    void readsInsideAScopeTakeManyOfTheCallersReadsFromTheSocketAtOnce() throws Exception {
        byte[] data = randomBytes(8 << 20);
        try (Pair p = pair(data); BatchedReads.Scope scope = BatchedReads.batching()) {
            BatchedReads in = (BatchedReads) p.client().getInputStream();
            assertThat(readAll(in, PGJDBC_READ)).isEqualTo(data);
            // 1024 reads of 8 KiB by the caller; each fill takes up to 256 KiB, and pauses when it found little
            assertThat(in.fills()).isPositive().isLessThan(data.length / PGJDBC_READ / 2);
        }
    }

    @Test
    void bytesBufferedInAScopeAreReadFirstAfterItEnds() throws Exception {
        byte[] data = randomBytes(3 << 20);
        try (Pair p = pair(data)) {
            BatchedReads in = (BatchedReads) p.client().getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try (BatchedReads.Scope scope = BatchedReads.batching()) {
                all.write(in.read());
                byte[] b = new byte[100];
                int n = in.read(b, 0, b.length);
                all.write(b, 0, n);
            }
            long fills = in.fills();
            assertThat(in.available()).isPositive();
            all.write(readAll(in, PGJDBC_READ));
            assertThat(all.toByteArray()).isEqualTo(data);
            assertThat(in.fills()).isEqualTo(fills);
        }
    }

    @Test
    void theEndOfTheStreamIsReportedInsideAScopeByBothReadMethods() throws Exception {
        byte[] data = randomBytes(10);
        try (Pair p = pair(data); BatchedReads.Scope scope = BatchedReads.batching()) {
            InputStream in = p.client().getInputStream();
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
            BatchedReads in = (BatchedReads) p.client().getInputStream();
            try (BatchedReads.Scope outer = BatchedReads.batching()) {
                try (BatchedReads.Scope inner = BatchedReads.batching()) {
                    in.read();
                }
                drain(in);
                long fills = in.fills();
                assertThat(in.read()).isNotEqualTo(-1);
                assertThat(in.fills()).isEqualTo(fills + 1);
            }
            drain(in);
            long fills = in.fills();
            in.read();
            assertThat(in.fills()).isEqualTo(fills);
            assertThat(in.holdsBuffer()).as("a drained buffer is let go outside a scope").isFalse();
        }
    }

    /** Reads what is buffered, so that the next read goes to the socket. */
    private static void drain(BatchedReads in) throws IOException {
        in.readNBytes(in.buffered());
        assertThat(in.buffered()).isZero();
    }
}
