package dev.keepsake.core.internal.compress;

import dev.keepsake.core.ArchiveFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/** The zstd frame walker on hand-made frames, and the marker read by zstd itself. */
class ZstdFramesTest {

    private static final byte[] MAGIC = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};

    /** A frame: magic, descriptor, then {@code rest}. */
    private static byte[] frame(int descriptor, byte[]... rest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        out.write(descriptor);
        for (byte[] r : rest) {
            out.writeBytes(r);
        }
        return out.toByteArray();
    }

    /** A block header: last flag, type, size. */
    private static byte[] block(boolean last, int type, int size) {
        int h = (last ? 1 : 0) | type << 1 | size << 3;
        return new byte[] {(byte) h, (byte) (h >>> 8), (byte) (h >>> 16)};
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static CompressedUnits walk(byte[] bytes) throws CompressedFormException {
        ZstdFrames units = new ZstdFrames();
        units.update(bytes, 0, bytes.length);
        units.finish();
        return units;
    }

    /** A window descriptor of 1 MiB (exponent 10, mantissa 0). */
    private static final byte[] WINDOW_1_MIB = {(byte) (10 << 3)};

    @Test
    void walksRawRleAndCompressedBlocksAndBoundsEachByItsMaximum() throws Exception {
        byte[] data = concat(
                frame(0x04, WINDOW_1_MIB, block(false, 0, 5), new byte[5], block(false, 1, 1000), new byte[1],
                        block(true, 2, 10), new byte[10], new byte[4]), // raw 5, RLE 1000, compressed ≤ 128 KiB, checksum
                ZstdFrames.MARKER,
                frame(0x20, new byte[] {3}, block(true, 0, 3), new byte[3])); // single segment, content size 3

        CompressedUnits units = walk(data);

        int dataEnd = data.length - ZstdFrames.MARKER.length - 12;
        assertThat(units.dataEnd()).isEqualTo(dataEnd);
        assertThat(units.uncompressedBound()).isEqualTo(5 + 1000 + ZstdFrames.MAX_BLOCK_SIZE + 3);
        assertThat(units.dataSha256()).isEqualTo(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Arrays.copyOf(data, dataEnd)));
    }

    @Test
    void refusesWhatKeepsakeNeverWrites() {
        byte[] tail = concat(ZstdFrames.MARKER, frame(0x00, WINDOW_1_MIB, block(true, 0, 0)));
        assertKind(concat(frame(0x08, WINDOW_1_MIB, block(true, 0, 0)), tail), CompressedFormException.Kind.DAMAGED,
                "reserved bit");
        assertKind(concat(frame(0x01, WINDOW_1_MIB, new byte[1], block(true, 0, 0)), tail),
                CompressedFormException.Kind.FOREIGN, "needs a dictionary");
        assertKind(concat(frame(0x00, WINDOW_1_MIB, block(true, 3, 0)), tail), CompressedFormException.Kind.DAMAGED,
                "reserved type");
        assertKind(concat(frame(0x00, WINDOW_1_MIB, block(true, 2, 200_000)), tail),
                CompressedFormException.Kind.DAMAGED, "more than its maximum of 131072");
        assertKind(concat(frame(0x20, new byte[] {10}, block(true, 0, 11), new byte[11]), tail),
                CompressedFormException.Kind.DAMAGED, "more than its maximum of 10");
        assertKind(concat(new byte[] {0x50, 0x2a, 0x4d, 0x18, 0, 0, 0, 0}, tail), CompressedFormException.Kind.FOREIGN,
                "skippable frame of another writer");
        assertKind(concat(frame(0x00, WINDOW_1_MIB, block(true, 0, 0)), ZstdFrames.MARKER, ZstdFrames.MARKER),
                CompressedFormException.Kind.FOREIGN, "a second mark");
        byte[] badPayload = tail.clone();
        badPayload[9] = 'X';
        assertKind(concat(frame(0x00, WINDOW_1_MIB, block(true, 0, 0)), badPayload),
                CompressedFormException.Kind.DAMAGED, "another payload");
        assertKind(concat(frame(0x00, WINDOW_1_MIB, block(true, 0, 0)), ZstdFrames.MARKER),
                CompressedFormException.Kind.INCOMPLETE, "ends at the mark");
        assertKind(concat(new byte[] {1, 2, 3, 4}, tail), CompressedFormException.Kind.DAMAGED, "no zstd frame starts");
    }

    private static void assertKind(byte[] bytes, CompressedFormException.Kind kind, String message) {
        assertThatThrownBy(() -> walk(bytes)).isInstanceOfSatisfying(CompressedFormException.class,
                e -> assertThat(e.kind()).isEqualTo(kind)).hasMessageContaining(message);
    }

    @Test
    void theZstdCommandReadsAcrossTheMarker(@TempDir Path tmp) throws Exception {
        assumeThat(Path.of("/usr/bin/zstd")).exists();
        byte[] data = CompressedUnitsTest.data(300_000, 1);
        byte[] rest = CompressedUnitsTest.data(1_000, 2);
        Path file = tmp.resolve("a.zst");
        Files.write(file, CompressedUnitsTest.write(ArchiveFormat.ZSTD, data, rest).bytes());

        Process p = new ProcessBuilder("/usr/bin/zstd", "-dc", file.toString()).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(out).isEqualTo(concat(data, rest));
    }
}
