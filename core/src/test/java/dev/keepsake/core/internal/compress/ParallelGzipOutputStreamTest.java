package dev.keepsake.core.internal.compress;

import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParallelGzipOutputStreamTest {

    private static final int BLOCK = ParallelGzipOutputStream.BLOCK_SIZE;

    /** Half random bytes, half repetitive text: some blocks compress well, some not at all. */
    private static byte[] data(int size) {
        byte[] b = new byte[size];
        Random random = new Random(size);
        byte[] text = "1\t1\t0\t                                                                                    \n"
                .getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < size; i++) {
            b[i] = (i / 65_536) % 2 == 0 ? text[i % text.length] : (byte) random.nextInt();
        }
        return b;
    }

    private static byte[] compress(byte[] data, int threads, int writeSize) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream gz = new ParallelGzipOutputStream(sink, 1, threads)) {
            for (int off = 0; off < data.length; off += writeSize) {
                gz.write(data, off, Math.min(writeSize, data.length - off));
            }
        }
        return sink.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 100_000, BLOCK - 1, BLOCK, BLOCK + 1, 5 * BLOCK + BLOCK / 2})
    void writesConcatenatedGzipMembersThatEveryReaderDecompressesToTheInput(int size) throws IOException {
        byte[] input = data(size);

        byte[] gz = compress(input, 3, 7_777);

        try (GZIPInputStream jdk = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            assertThat(jdk.readAllBytes()).isEqualTo(input);
        }
        try (GzipCompressorInputStream commons = GzipCompressorInputStream.builder()
                .setInputStream(new ByteArrayInputStream(gz)).setDecompressConcatenated(true).get()) {
            assertThat(commons.readAllBytes()).isEqualTo(input);
        }
        assertThat(members(gz)).isEqualTo(Math.max(1, (size + BLOCK - 1) / BLOCK));
    }

    @Test
    void singleByteWritesAndOneThreadGiveTheSameBytesAsManyThreads() throws IOException {
        byte[] input = data(2 * BLOCK + 5);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream gz = new ParallelGzipOutputStream(sink, 1, 1)) {
            for (byte b : input) {
                gz.write(b);
            }
        }

        assertThat(sink.toByteArray()).isEqualTo(compress(input, 4, 1 << 20));
    }

    @Test
    void aFailingSinkFailsTheWriterAndStopsItsThreads() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("disk full");
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                throw new IOException("disk full");
            }
        };
        byte[] input = data(8 * BLOCK);

        assertThatThrownBy(() -> {
            try (OutputStream gz = new ParallelGzipOutputStream(broken, 1, 2)) {
                gz.write(input);
            }
        }).isInstanceOf(IOException.class).hasMessageContaining("disk full");
        assertThat(compressorThreadsAlive()).isFalse();
    }

    @Test
    void closeEndsTheCompressorThreads() throws IOException {
        compress(data(3 * BLOCK), 2, 65_536);

        assertThat(compressorThreadsAlive()).isFalse();
    }

    private static boolean compressorThreadsAlive() {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            boolean alive = Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().startsWith("keepsake-gzip-") && t.isAlive());
            if (!alive) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    /** Counts gzip members by decompressing one at a time. */
    private static int members(byte[] gz) throws IOException {
        int count = 0;
        int pos = 0;
        while (pos < gz.length) {
            java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
            int header = ParallelGzipOutputStream.HEADER.length;
            inflater.setInput(gz, pos + header, gz.length - pos - header);
            byte[] out = new byte[BLOCK + 1];
            try {
                while (!inflater.finished()) {
                    inflater.inflate(out);
                }
            } catch (java.util.zip.DataFormatException e) {
                throw new IOException(e);
            }
            pos = gz.length - inflater.getRemaining() + 8;
            inflater.end();
            count++;
        }
        return count;
    }
}
