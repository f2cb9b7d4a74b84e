package dev.keepsake.core.internal.archive;

import dev.keepsake.core.ArchiveFormat;
import dev.keepsake.core.ArchiveKey;
import dev.keepsake.core.ArchiveVerificationException;
import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.JobContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The first pass on archives as the writer writes them, gzip and zstd alike; damage is HostileArchiveTest's. */
class ArchiveVerifierTest {

    private static final ArchiveKey KEY = ArchiveKey.of("k1", "0123456789abcdef0123456789abcdef".getBytes(
            StandardCharsets.US_ASCII));
    private static final ArchiveKey OTHER = ArchiveKey.of("k2", "fedcba9876543210fedcba9876543210".getBytes(
            StandardCharsets.US_ASCII));
    private static final Instant T = Instant.parse("2026-12-06T00:00:00Z");

    @TempDir
    Path tmp;

    /** A real context is the engine's; a part writer only asks for the start time and reports progress. */
    private static final JobContext CONTEXT = new JobContext() {
        @Override
        public String operationId() {
            return "1.0.0_2026-12-06T00:00:00Z";
        }

        @Override
        public Instant startedAt() {
            return T;
        }

        @Override
        public void addProgress(long bytes) {
        }

        @Override
        public void phase(String description) {
        }

        @Override
        public boolean applicationQuiesced() {
            return false;
        }
    };

    private record Written(Path file, ArchiveWriter.Result result) {
    }

    /** An archive as a backup writes it: a file and 5 MiB of chunks (several compressed units), signed when a key given. */
    private Written archive(ArchiveFormat format, ArchiveKey key) throws Exception {
        Manifest.Part part = new Manifest.Part("db", "test", "7", Map.of(), 0, 0);
        Manifest header = new Manifest(ArchiveLayout.FORMAT_VERSION, "demo", "1.0.0", "1.0.0_2026-12-06T00:00:00Z", T,
                List.of(part), List.of(), 0, 0);
        Path file = tmp.resolve("a-" + format + "-" + (key != null) + ".archive");
        ArchiveWriter.Result result;
        try (OutputStream out = Files.newOutputStream(file)) {
            ArchiveWriter w = new ArchiveWriter(out, format, 1, header);
            w.start();
            ArchiveWriter.Part p = w.openPart(part, CONTEXT);
            byte[] text = "schema text".getBytes(StandardCharsets.UTF_8);
            try (OutputStream e = p.addEntry(new ArchiveEntry("schema.sql", ArchiveEntry.Type.FILE, text.length,
                    0644, T, null, -1))) {
                e.write(text);
            }
            Random random = new Random(1);
            for (int i = 0; i < 5; i++) {
                byte[] chunk = new byte[1 << 20];
                for (int j = 0; j < chunk.length; j++) {
                    chunk[j] = j % 3 == 0 ? (byte) random.nextInt() : (byte) ('a' + j % 5);
                }
                p.appendChunk("data", ByteBuffer.wrap(chunk));
            }
            w.closePart(p);
            result = w.finish(key);
        }
        return new Written(file, result);
    }

    private static ArchiveVerifier verifier(boolean allowUnsigned, ArchiveKey... keys) {
        return new ArchiveVerifier(List.of(keys), allowUnsigned, 16 << 20, 1L << 40);
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void theFirstPassAcceptsWhatTheWriterWroteAndTheSecondReadsIt(ArchiveFormat format) throws Exception {
        Written w = archive(format, KEY);
        AtomicLong progress = new AtomicLong();

        ArchiveVerifier.VerifiedArchive v = verifier(false, KEY).verify(w.file(), progress::set);

        assertThat(v.manifest()).isEqualTo(w.result().manifest());
        assertThat(v.manifest().data().compressedBytes()).isLessThan(Files.size(w.file()));
        assertThat(v.format()).isEqualTo(format);
        assertThat(v.description().signedWithKeyId()).contains("k1");
        assertThat(v.description().formatVersion()).isEqualTo(3);
        assertThat(v.uncompressedBytes()).isGreaterThanOrEqualTo(5L << 20);
        assertThat(progress.get()).isEqualTo(Files.size(w.file()));
        assertThat(verifier(false, KEY).verifyFully(w.file(), null)).isEqualTo(v);
        try (ArchiveReader reader = ArchiveReader.open(w.file(), v)) {
            reader.part(v.manifest().parts().get(0), CONTEXT).finish();
            reader.finish();
        }
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void unsignedArchivesGetTheSamePassWhenAllowedAndAreRefusedOtherwise(ArchiveFormat format) throws Exception {
        Written w = archive(format, null);

        ArchiveVerifier.VerifiedArchive v = verifier(true, KEY).verifyFully(w.file(), null);

        assertThat(v.manifest()).isEqualTo(w.result().manifest());
        assertThat(v.description().signedWithKeyId()).isEmpty();
        assertThatThrownBy(() -> verifier(false, KEY).verify(w.file(), null))
                .isInstanceOf(ArchiveVerificationException.class)
                .hasMessageContaining("not signed and unsigned archives are not allowed");
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void anArchiveSignedWithAKeyNotConfiguredIsRefused(ArchiveFormat format) throws Exception {
        Written w = archive(format, KEY);

        assertThatThrownBy(() -> verifier(false, OTHER).verify(w.file(), null))
                .isInstanceOf(ArchiveVerificationException.class)
                .hasMessageContaining("signed with key id 'k1', which is not configured here");
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void aChangedByteInTheDataIsRefusedByTheFirstPass(ArchiveFormat format) throws Exception {
        Written w = archive(format, KEY);
        byte[] bytes = Files.readAllBytes(w.file());
        long dataEnd = w.result().manifest().data().compressedBytes();
        bytes[(int) (dataEnd * 2 / 3)] ^= 0x10;
        Path changed = tmp.resolve("changed");
        Files.write(changed, bytes);

        assertThatThrownBy(() -> verifier(false, KEY).verify(changed, null))
                .isInstanceOf(ArchiveVerificationException.class)
                .hasMessageMatching("The archive (is damaged|is incomplete|does not match the SHA-256).*");
    }

    @ParameterizedTest
    @EnumSource(ArchiveFormat.class)
    void anArchiveExpandingBeyondTheLimitIsRefusedBeforeAnythingIsInflated(ArchiveFormat format) throws Exception {
        Written w = archive(format, KEY);

        assertThatThrownBy(() -> new ArchiveVerifier(List.of(KEY), false, 16 << 20, 4 << 20).verify(w.file(), null))
                .isInstanceOf(ArchiveVerificationException.class)
                .hasMessage("The archive expands to more than 4 MiB (the configured limit); it is damaged or hostile "
                        + "(a decompression bomb).");
    }
}
