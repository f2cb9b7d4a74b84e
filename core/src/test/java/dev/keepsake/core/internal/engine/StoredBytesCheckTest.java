package dev.keepsake.core.internal.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The read-back of a new backup's file while it is written, against real files. */
class StoredBytesCheckTest {

    @TempDir
    Path tmp;

    private static byte[] data(int size) {
        byte[] b = new byte[size];
        new Random(7).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** Writes {@code content} in pieces of 64 KiB. */
    private static void writeInPieces(OutputStream out, byte[] content, int from, int to) throws IOException {
        for (int off = from; off < to; off += 65_536) {
            out.write(content, off, Math.min(65_536, to - off));
        }
    }

    private static boolean readerAlive(String operationId) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("keepsake-readback-" + operationId) && t.isAlive());
    }

    @Test
    void readsTheFileBehindTheWriterAndVerifiesItAtTheEnd() throws Exception {
        byte[] content = data(5 << 20);
        Path file = Files.createFile(tmp.resolve("archive"));
        try (OutputStream fileOut = Files.newOutputStream(file);
             StoredBytesCheck check = new StoredBytesCheck(file, "op-1")) {
            OutputStream out = check.watch(fileOut);
            writeInPieces(out, content, 0, 4 << 20);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (check.bytesRead() < 3 << 20 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(check.bytesRead()).as("read while the archive is still being written").isGreaterThanOrEqualTo(
                    3 << 20);
            writeInPieces(out, content, 4 << 20, content.length);
            AtomicLong progress = new AtomicLong();

            assertThat(check.verify(content.length, sha256(content), progress::set)).isNull();
            assertThat(progress).hasValue(content.length);
        }
        assertThat(readerAlive("op-1")).isFalse();
    }

    @Test
    void aBitFlippedOnTheWayToTheFileIsReported() throws Exception {
        byte[] content = data(3 << 20);
        Path file = Files.createFile(tmp.resolve("archive"));
        try (OutputStream fileOut = Files.newOutputStream(file);
             StoredBytesCheck check = new StoredBytesCheck(file, "op-2")) {
            OutputStream flipping = new FilterOutputStream(fileOut) {
                long written;

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
                    if (written <= 100 && written + len > 100) {
                        copy[(int) (100 - written)] ^= 0x10;
                    }
                    written += len;
                    out.write(copy);
                }
            };
            writeInPieces(check.watch(flipping), content, 0, content.length);

            assertThat(check.verify(content.length, sha256(content), n -> { }))
                    .startsWith("its SHA-256 is ").endsWith(" where the bytes written had " + sha256(content));
        }
    }

    @Test
    void aFileShorterThanTheArchiveIsReported() throws Exception {
        byte[] content = data(2 << 20);
        Path file = Files.createFile(tmp.resolve("archive"));
        try (OutputStream fileOut = Files.newOutputStream(file);
             StoredBytesCheck check = new StoredBytesCheck(file, "op-3")) {
            OutputStream losingSingleBytes = new FilterOutputStream(fileOut) {
                @Override
                public void write(int b) {
                    // a store that loses what it is given
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }
            };
            OutputStream out = check.watch(losingSingleBytes);
            writeInPieces(out, content, 0, content.length);
            out.write(1); // handed to the store, which loses it: the file is one byte short

            assertThat(check.verify(content.length + 1, sha256(content), n -> { }))
                    .isEqualTo("it has " + content.length + " bytes where " + (content.length + 1) + " were written");
        }
    }

    @Test
    void aStoreThatCreatesItsFileOnlyAtTheEndIsWaitedFor() throws Exception {
        byte[] content = data(3 << 20);
        Path file = tmp.resolve("written-at-the-end");
        ByteArrayOutputStream buffered = new ByteArrayOutputStream();
        try (StoredBytesCheck check = new StoredBytesCheck(file, "op-4")) {
            writeInPieces(check.watch(buffered), content, 0, content.length);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (check.timesFileMissing() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(check.timesFileMissing()).as("the reader looked for the file before it existed").isPositive();
            Files.write(file, buffered.toByteArray());

            assertThat(check.verify(content.length, sha256(content), n -> { })).isNull();
        }
    }

    @Test
    void closingWithoutVerifyingStopsTheReader() throws Exception {
        Path file = Files.createFile(tmp.resolve("archive"));
        try (OutputStream fileOut = Files.newOutputStream(file)) {
            StoredBytesCheck check = new StoredBytesCheck(file, "op-5");
            writeInPieces(check.watch(fileOut), data(2 << 20), 0, 2 << 20);
            assertThat(readerAlive("op-5")).isTrue();

            check.close();

            assertThat(readerAlive("op-5")).isFalse();
        }
    }
}
