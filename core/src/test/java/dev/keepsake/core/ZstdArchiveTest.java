package dev.keepsake.core;

import dev.keepsake.testfixtures.StreamPart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ZstdArchiveTest {

    @TempDir
    Path tmp;

    @Test
    void zstdArchivesRoundTripAndAreReadableBySystemTar() throws Exception {
        Fixture f = new Fixture(tmp);
        try (MaintenanceEngine engine = f.builder().format(ArchiveFormat.ZSTD).compressionLevel(3).build()) {
            Path archive = f.backup(engine, "copy.tar.zst");
            assertThat(engine.latestBackup().orElseThrow().fileName()).endsWith(".tar.zst");
            var names = Fixture.run(tmp, "tar", "--zstd", "-tf", archive.toString());
            assertThat(names.get(0)).isEqualTo("keepsake/header.json");
            assertThat(names).contains("parts/files/sub/b.bin", "keepsake/manifest.sig");

            OperationStatus s = Fixture.await(engine.startRestore(RestoreSource.of(archive)));
            assertThat(s.succeeded()).as(s.statusMessage()).isTrue();
            assertThat(Fixture.snapshot(f.filesTarget)).isEqualTo(Fixture.snapshot(f.source));
            assertThat(f.streamsTarget.resolve("table-b")).hasBinaryContent(StreamPart.content("table-b"));
        }
    }

    @Test
    void zstdArchiveWithTrailingGarbageOrCutShortIsRefused() throws Exception {
        Fixture f = new Fixture(tmp);
        try (MaintenanceEngine engine = f.builder().format(ArchiveFormat.ZSTD).build()) {
            Path archive = f.backup(engine, "copy.tar.zst");
            byte[] good = Files.readAllBytes(archive);
            Path garbage = tmp.resolve("garbage.tar.zst");
            byte[] g = java.util.Arrays.copyOf(good, good.length + 7);
            System.arraycopy("garbage".getBytes(), 0, g, good.length, 7);
            Files.write(garbage, g);
            assertThatThrownBy(() -> engine.verify(garbage)).isInstanceOf(ArchiveVerificationException.class)
                    .hasMessageContaining("data after the end of its compressed stream");
            Path cut = tmp.resolve("cut.tar.zst");
            Files.write(cut, java.util.Arrays.copyOf(good, good.length - 5));
            assertThatThrownBy(() -> engine.verify(cut)).isInstanceOf(ArchiveVerificationException.class)
                    .hasMessageContaining("is incomplete");
        }
    }

    @Test
    void compressionLevelIsValidatedPerFormat() {
        assertThatThrownBy(() -> new Fixture(tmp).builder().format(ArchiveFormat.ZSTD).compressionLevel(20).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("compression level 20 is out of range for ZSTD: use 1-19");
    }
}
