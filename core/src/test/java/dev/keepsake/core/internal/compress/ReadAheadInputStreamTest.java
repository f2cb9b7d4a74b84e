package dev.keepsake.core.internal.compress;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReadAheadInputStreamTest {

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    @Test
    void deliversTheSourceBytesInOrderWhateverTheReadSizes() throws IOException {
        for (int size : new int[] {0, 1, ReadAheadInputStream.BLOCK - 1, ReadAheadInputStream.BLOCK,
                ReadAheadInputStream.BLOCK * 7 + 13}) {
            byte[] data = random(size);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = new ReadAheadInputStream(new ByteArrayInputStream(data))) {
                byte[] buf = new byte[1000];
                int n;
                int i = 0;
                while (true) {
                    if (i++ % 3 == 0) {
                        int b = in.read();
                        if (b < 0) {
                            break;
                        }
                        out.write(b);
                    } else if ((n = in.read(buf, 0, 1 + i % buf.length)) >= 0) {
                        out.write(buf, 0, n);
                    } else {
                        break;
                    }
                }
                assertThat(in.read()).isEqualTo(-1);
            }
            assertThat(out.toByteArray()).as("size %d", size).isEqualTo(data);
        }
    }

    @Test
    void skipsWithoutCopyingAndKeepsThePositionExact() throws IOException {
        byte[] data = random(ReadAheadInputStream.BLOCK * 3 + 77);
        try (InputStream in = new ReadAheadInputStream(new ByteArrayInputStream(data))) {
            long skipped = 0;
            while (skipped < ReadAheadInputStream.BLOCK + 10) {
                skipped += in.skip(ReadAheadInputStream.BLOCK + 10 - skipped);
            }
            assertThat(in.read()).isEqualTo(data[ReadAheadInputStream.BLOCK + 10] & 0xff);
            assertThat(in.skip(5)).isEqualTo(5);
            assertThat(in.readNBytes(3)).isEqualTo(java.util.Arrays.copyOfRange(data, ReadAheadInputStream.BLOCK + 16,
                    ReadAheadInputStream.BLOCK + 19));
            long rest = 0;
            long n;
            while ((n = in.skip(Long.MAX_VALUE)) > 0) {
                rest += n;
            }
            assertThat(rest).isEqualTo(data.length - (ReadAheadInputStream.BLOCK + 19));
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void throwsTheSourcesFailureAfterTheBytesReadBeforeIt() throws IOException {
        byte[] data = random(ReadAheadInputStream.BLOCK * 2 + 5);
        InputStream failing = new InputStream() {
            int pos;

            @Override
            public int read() throws IOException {
                if (pos == data.length) {
                    throw new IOException("Corrupt input: invalid block type");
                }
                return data[pos++] & 0xff;
            }
        };
        try (InputStream in = new ReadAheadInputStream(failing)) {
            assertThat(in.readNBytes(data.length)).isEqualTo(data);
            assertThatThrownBy(in::read).isInstanceOf(IOException.class)
                    .hasMessage("Corrupt input: invalid block type");
            assertThatThrownBy(in::read).hasMessage("Corrupt input: invalid block type");
        }
    }

    @Test
    void anInterruptedConsumerGetsAnInterruptedIOException() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        InputStream stuck = new InputStream() {
            @Override
            public int read() throws IOException {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    throw new InterruptedIOException("source interrupted");
                }
                return -1;
            }
        };
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        try (ReadAheadInputStream in = new ReadAheadInputStream(stuck)) {
            Thread consumer = new Thread(() -> {
                try {
                    in.read();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            consumer.start();
            // interrupt it while it waits for a block that never comes
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (consumer.getState() != Thread.State.WAITING && consumer.getState() != Thread.State.TIMED_WAITING) {
                assertThat(System.nanoTime()).as("consumer waiting").isLessThan(deadline);
                Thread.onSpinWait();
            }
            consumer.interrupt();
            consumer.join(5_000);
            assertThat(consumer.isAlive()).isFalse();
        }
        assertThat(thrown.get()).isInstanceOf(InterruptedIOException.class)
                .hasMessage("interrupted while reading the archive");
    }

    @Test
    void closingStopsTheReaderThreadAndClosesTheSource() throws Exception {
        AtomicReference<Boolean> sourceClosed = new AtomicReference<>(false);
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 7;
            }

            @Override
            public void close() {
                sourceClosed.set(true);
            }
        };
        ReadAheadInputStream in = new ReadAheadInputStream(endless);
        assertThat(in.read()).isEqualTo(7);
        in.close();
        assertThat(sourceClosed.get()).isTrue();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("keepsake-archive-read")
                && t.isAlive() && t.getState() != Thread.State.TERMINATED
                && java.util.Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals("readAhead")));
        assertThatThrownBy(() -> in.read(new byte[1], 0, 1)).hasMessage("the archive stream is closed");
    }
}
