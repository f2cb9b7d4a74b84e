package dev.keepsake.core.internal.compress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import dev.keepsake.core.ArchiveFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MemberGzipInputStreamTest {

    private static final int BLOCK = ParallelGzipOutputStream.BLOCK_SIZE;

    private static byte[] data(int size) {
        byte[] b = new byte[size];
        Random random = new Random(size);
        for (int i = 0; i < size; i++) {
            b[i] = (i / 50_000) % 2 == 0 ? (byte) ('a' + i % 7) : (byte) random.nextInt();
        }
        return b;
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream gz = Compression.compress(ArchiveFormat.GZIP, sink, 1)) {
            gz.write(data);
        }
        return sink.toByteArray();
    }

    private static InputStream open(byte[] gz) throws IOException {
        return Compression.decompress(ArchiveFormat.GZIP, new BufferedInputStream(new ByteArrayInputStream(gz)), 0);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, BLOCK - 1, BLOCK, 9 * BLOCK + 123})
    void readsWhatTheParallelWriterWroteInParallelAndInOrder(int size) throws IOException {
        byte[] input = data(size);
        byte[] gz = gzip(input);
        try (InputStream in = open(gz)) {
            assertThat(in).isInstanceOf(MemberGzipInputStream.class);
            assertThat(in.readAllBytes()).isEqualTo(input);
            assertThat(in.read()).isEqualTo(-1);
        }
        // and every other gzip reader still reads it, skipping the extra field
        try (InputStream jdk = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(gz))) {
            assertThat(jdk.readAllBytes()).isEqualTo(input);
        }
    }

    @Test
    void gzipOfAnotherWriterIsRefusedAsNotWrittenByKeepsake() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(sink)) {
            gz.write(data(3 * BLOCK));
        }
        try (InputStream in = open(sink.toByteArray())) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(MemberGzipInputStream.DamagedGzipException.class)
                    .hasMessageContaining("gzip member 1 was not written by Keepsake");
        }
    }

    @Test
    void aFlippedBitInsideAMemberIsReportedAsDamage() throws IOException {
        byte[] gz = gzip(data(4 * BLOCK));
        int secondMember = memberLength(gz, 0);
        gz[secondMember + 100] ^= 0x10;
        try (InputStream in = open(gz)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(MemberGzipInputStream.DamagedGzipException.class)
                    .hasMessageStartingWith("gzip member 2 is damaged");
        }
    }

    @Test
    void aCutOffStreamEndsWithAnEofNamingTheMember() throws IOException {
        byte[] gz = gzip(data(4 * BLOCK));
        byte[] cut = Arrays.copyOf(gz, gz.length - 10);
        try (InputStream in = open(cut)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(EOFException.class)
                    .hasMessage("the archive ends inside gzip member 4");
        }
    }

    @Test
    void bytesAfterTheLastMemberAreGarbage() throws IOException {
        byte[] gz = gzip(data(BLOCK + 7));
        byte[] longer = Arrays.copyOf(gz, gz.length + 3);
        longer[gz.length] = 'x';
        try (InputStream in = open(longer)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class)
                    .hasMessage("Garbage after a valid .gz stream (after member 2)");
        }
    }

    @Test
    void aMemberClaimingAHugeLengthOrExpansionIsRefusedBeforeAnythingIsAllocated() throws IOException {
        byte[] gz = gzip(data(10));
        byte[] huge = gz.clone();
        huge[ParallelGzipOutputStream.LENGTH_AT + 3] = 0x40;
        try (InputStream in = open(huge)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("gzip member 1 claims a length of ");
        }
        byte[] bomb = gz.clone();
        bomb[bomb.length - 1] = 0x7f; // ISIZE
        try (InputStream in = open(bomb)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("gzip member 1 claims to expand to ");
        }
    }

    @Test
    void aWrongSizeInTheTrailerIsDamage() throws IOException {
        byte[] gz = gzip(data(1000));
        gz[gz.length - 4] = (byte) 0xe7; // ISIZE 999 instead of 1000 (0x3e8)
        try (InputStream in = open(gz)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("gzip member 1 is damaged");
        }
    }

    @Test
    void closeEndsTheThreads() throws IOException {
        try (InputStream in = open(gzip(data(6 * BLOCK)))) {
            in.read();
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith("keepsake-gunzip-") && t.isAlive())) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private static int memberLength(byte[] gz, int at) {
        int p = at + ParallelGzipOutputStream.LENGTH_AT;
        return (gz[p] & 0xff) | (gz[p + 1] & 0xff) << 8 | (gz[p + 2] & 0xff) << 16 | (gz[p + 3] & 0xff) << 24;
    }
}
