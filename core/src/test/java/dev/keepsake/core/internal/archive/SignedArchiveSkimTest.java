package dev.keepsake.core.internal.archive;

import dev.keepsake.core.internal.compress.Compression;
import dev.keepsake.core.ArchiveFormat;
import dev.keepsake.core.ArchiveKey;
import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.JobContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

class SignedArchiveSkimTest {

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

    /** An archive as a backup writes it: a file and 5 MiB of chunks (several gzip members), signed when a key given. */
    private Path archive(ArchiveFormat format, ArchiveKey key) throws Exception {
        Manifest.Part part = new Manifest.Part("db", "test", "7", Map.of(), 0, 0);
        Manifest header = new Manifest(ArchiveWriter.formatVersion(format), "demo", "1.0.0",
                "1.0.0_2026-12-06T00:00:00Z", T, List.of(part), List.of(), 0, 0);
        Path file = tmp.resolve("a-" + format + "-" + (key != null) + ".archive");
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
            w.finish(key);
        }
        return file;
    }

    private static SignedArchiveSkim skim(ArchiveKey... keys) {
        Map<String, ArchiveKey> byId = new java.util.HashMap<>();
        for (ArchiveKey k : keys) {
            byId.put(k.id(), k);
        }
        return new SignedArchiveSkim(byId, 16 << 20, 1L << 40);
    }

    @Test
    void vouchesForASignedFormatTwoArchiveWithTheSameResultAsTheFullVerification() throws Exception {
        Path file = archive(ArchiveFormat.GZIP, KEY);

        Optional<ArchiveVerifier.VerifiedArchive> skimmed = skim(KEY).skim(file);

        ArchiveVerifier.VerifiedArchive full = new ArchiveVerifier(List.of(KEY), false, 16 << 20, 1L << 40)
                .verify(file, null);
        assertThat(skimmed).isPresent();
        assertThat(skimmed.get().manifest()).isEqualTo(full.manifest());
        assertThat(skimmed.get().description()).isEqualTo(full.description());
        assertThat(skimmed.get().uncompressedBytes()).isEqualTo(full.uncompressedBytes());
        assertThat(skimmed.get().format()).isEqualTo(ArchiveFormat.GZIP);
        assertThat(full.manifest().data()).isNotNull();
        try (ArchiveReader reader = ArchiveReader.open(file, skimmed.get())) {
            ArchiveReader.Part part = reader.part(skimmed.get().manifest().parts().get(0), CONTEXT);
            part.finish();
            reader.finish();
        }
    }

    @Test
    void leavesEverythingElseToTheFullVerification() throws Exception {
        Path signed = archive(ArchiveFormat.GZIP, KEY);
        byte[] good = Files.readAllBytes(signed);

        assertThat(skim(OTHER).skim(signed)).as("signed with a key not configured").isEmpty();
        assertThat(skim().skim(signed)).as("no keys").isEmpty();
        assertThat(skim(KEY).skim(archive(ArchiveFormat.GZIP, null))).as("unsigned").isEmpty();
        if (Compression.zstdAvailable()) {
            assertThat(skim(KEY).skim(archive(ArchiveFormat.ZSTD, KEY))).as("format 1 (zstd)").isEmpty();
        }

        byte[] flipped = good.clone();
        flipped[good.length / 3] ^= 1; // inside a data member: its bytes no longer match the manifest's SHA-256
        assertThat(skim(KEY).skim(write("flipped", flipped))).isEmpty();

        assertThat(skim(KEY).skim(write("cut", Arrays.copyOf(good, good.length - 100)))).isEmpty();
        assertThat(skim(KEY).skim(write("cut in the data", Arrays.copyOf(good, good.length / 2)))).isEmpty();

        byte[] tar;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(good))) {
            tar = in.readAllBytes();
        }
        ByteArrayOutputStream recompressed = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(recompressed)) {
            out.write(tar);
        }
        assertThat(skim(KEY).skim(write("recompressed", recompressed.toByteArray()))).isEmpty();

        byte[] trailing = Arrays.copyOf(good, good.length + 10);
        assertThat(skim(KEY).skim(write("trailing", trailing))).isEmpty();
    }

    private Path write(String name, byte[] bytes) throws Exception {
        Path p = tmp.resolve(name + ".tgz");
        Files.write(p, bytes);
        return p;
    }
}
