package dev.keepsake.core.internal.compress;

import dev.keepsake.core.ArchiveFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The walk of gzip members and zstd frames, on streams as the archive writer compresses them. */
class CompressedUnitsTest {

    static byte[] data(int size, int seed) {
        byte[] b = new byte[size];
        Random random = new Random(seed);
        for (int i = 0; i < size; i++) {
            b[i] = (i / 40_000) % 2 == 0 ? (byte) ('a' + i % 7) : (byte) random.nextInt();
        }
        return b;
    }

    /** {@code data}, the end of the data, {@code rest}: as an archive is written. */
    static Written write(ArchiveFormat format, byte[] data, byte[] rest) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        int dataEnd;
        try (CompressedOutput out = Compression.compress(format, sink, 1)) {
            out.write(data);
            out.endData();
            dataEnd = sink.size(); // every byte of the data is handed over, the mark not yet
            out.write(rest);
        }
        return new Written(sink.toByteArray(), dataEnd);
    }

    record Written(byte[] bytes, int dataEnd) {
    }

    static CompressedUnits walk(ArchiveFormat format, byte[] bytes, int step) throws CompressedFormException {
        CompressedUnits units = CompressedUnits.of(format);
        for (int off = 0; off < bytes.length; off += step) {
            units.update(bytes, off, Math.min(step, bytes.length - off));
        }
        units.finish();
        return units;
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void theWalkFindsTheMarkAndHashesExactlyTheDataBeforeIt(ArchiveFormat format) throws Exception {
        byte[] data = data(3 * 1024 * 1024 + 777, 1);
        byte[] rest = data(5_000, 2);
        Written w = write(format, data, rest);

        for (int step : new int[] {1, 7, 512, 1 << 20, w.bytes().length}) {
            CompressedUnits units = walk(format, w.bytes(), step);
            assertThat(units.dataEnd()).as("step " + step).isEqualTo(w.dataEnd());
            assertThat(units.dataSha256()).isEqualTo(MessageDigest.getInstance("SHA-256")
                    .digest(Arrays.copyOf(w.bytes(), w.dataEnd())));
            assertThat(units.uncompressedBound()).isGreaterThanOrEqualTo(data.length + rest.length);
            assertThat(units.position()).isEqualTo(w.bytes().length);
            if (step == 1 << 20 && format == ArchiveFormat.GZIP) {
                assertThat(units.uncompressedBound()).as("exact for gzip").isEqualTo(data.length + rest.length);
            }
        }
        // every reader of the format reads across the mark
        try (InputStream in = Compression.decompress(format, new ByteArrayInputStream(w.bytes()), 2)) {
            byte[] all = in.readAllBytes();
            assertThat(Arrays.copyOf(all, data.length)).isEqualTo(data);
            assertThat(Arrays.copyOfRange(all, data.length, all.length)).isEqualTo(rest);
        }
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void aStreamCutAnywhereIsIncomplete(ArchiveFormat format) throws Exception {
        Written w = write(format, data(2_000_000, 3), data(3_000, 4));
        for (int cut : new int[] {1, 10, w.bytes().length / 2, w.dataEnd() + 3, w.bytes().length - 1}) {
            assertThatThrownBy(() -> walk(format, Arrays.copyOf(w.bytes(), cut), 4096)).as("cut at " + cut)
                    .isInstanceOfSatisfying(CompressedFormException.class, e -> assertThat(e.kind())
                            .isEqualTo(CompressedFormException.Kind.INCOMPLETE));
        }
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void aStreamCutAtTheMarkHasNoManifest(ArchiveFormat format) throws Exception {
        Written w = write(format, data(200_000, 5), data(3_000, 6));
        assertThatThrownBy(() -> walk(format, Arrays.copyOf(w.bytes(), w.dataEnd()), 4096))
                .isInstanceOfSatisfying(CompressedFormException.class, e -> assertThat(e.kind())
                        .isEqualTo(CompressedFormException.Kind.NO_MANIFEST_MARK));
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void bytesAfterTheLastUnitAreTrailingData(ArchiveFormat format) throws Exception {
        Written w = write(format, data(200_000, 7), data(3_000, 8));
        for (byte[] tail : new byte[][] {new byte[64], "garbage!".getBytes(), {0x1f, (byte) 0x8b, 8, 0}}) {
            byte[] longer = Arrays.copyOf(w.bytes(), w.bytes().length + tail.length);
            System.arraycopy(tail, 0, longer, w.bytes().length, tail.length);
            assertThatThrownBy(() -> walk(format, longer, 4096))
                    .isInstanceOfSatisfying(CompressedFormException.class, e -> assertThat(e.kind())
                            .isIn(CompressedFormException.Kind.TRAILING_DATA, CompressedFormException.Kind.INCOMPLETE));
        }
        byte[] garbage = Arrays.copyOf(w.bytes(), w.bytes().length + 8);
        System.arraycopy("garbage!".getBytes(), 0, garbage, w.bytes().length, 8);
        assertThatThrownBy(() -> walk(format, garbage, 4096))
                .isInstanceOfSatisfying(CompressedFormException.class, e -> assertThat(e.kind())
                        .isEqualTo(CompressedFormException.Kind.TRAILING_DATA));
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void aStreamOfAnotherWriterIsRefused(ArchiveFormat format) throws Exception {
        byte[] data = data(300_000, 9);
        ByteArrayOutputStream other = new ByteArrayOutputStream();
        if (format == ArchiveFormat.GZIP) {
            try (var out = new java.util.zip.GZIPOutputStream(other)) {
                out.write(data);
            }
        } else {
            try (var out = new com.github.luben.zstd.ZstdOutputStream(other, 3)) {
                out.write(data);
            }
        }
        assertThatThrownBy(() -> walk(format, other.toByteArray(), 4096))
                .isInstanceOfSatisfying(CompressedFormException.class, e -> assertThat(e.kind())
                        .isEqualTo(format == ArchiveFormat.GZIP ? CompressedFormException.Kind.FOREIGN
                                : CompressedFormException.Kind.NO_MANIFEST_MARK));
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void theWalkUnderADecompressorSeesWhatItReads(ArchiveFormat format) throws Exception {
        byte[] data = data(2_500_000, 10);
        Written w = write(format, data, data(100, 11));
        CompressedUnits units = CompressedUnits.of(format);
        try (InputStream in = Compression.decompress(format,
                new WalkingInputStream(new ByteArrayInputStream(w.bytes()), units), 2)) {
            assertThat(in.readAllBytes()).hasSize(data.length + 100);
        }
        assertThat(units.dataEnd()).isEqualTo(w.dataEnd());
        assertThat(units.dataSha256()).isEqualTo(MessageDigest.getInstance("SHA-256")
                .digest(Arrays.copyOf(w.bytes(), w.dataEnd())));
    }
}
