package dev.keepsake.core;

import dev.keepsake.core.spi.BackupStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class RoundTripTest {

    @TempDir
    Path tmp;

    @Test
    void backupThenRestoreReproducesEveryPartExactly() throws Exception {
        Fixture f = new Fixture(tmp);
        try (MaintenanceEngine engine = f.builder().build()) {
            OperationStatus backup = Fixture.await(engine.startBackup());
            assertThat(backup.succeeded()).as(backup.statusMessage()).isTrue();
            assertThat(backup.statusMessage()).isEqualTo("OK");
            assertThat(backup.id()).matches("1\\.4\\.2_\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

            BackupStore.StoredBackup stored = engine.latestBackup().orElseThrow();
            assertThat(stored.id()).isEqualTo(backup.id());
            assertThat(stored.fileName()).isEqualTo("keepsake-" + backup.id().replace(':', '-') + ".tgz");
            assertThat(stored.sha256()).isEqualTo(Fixture.sha256(stored.open(0).readAllBytes()));

            BackupDescription d = engine.verify(f.root.resolve("work/backups").resolve(stored.fileName()));
            assertThat(d.backupId()).isEqualTo(backup.id());
            assertThat(d.productName()).isEqualTo("demo");
            assertThat(d.productVersion()).isEqualTo(Version.parse("1.4.2"));
            assertThat(d.signedWithKeyId()).contains("key-2024");
            assertThat(d.parts()).extracting(BackupDescription.Part::name).containsExactly("db", "files");
            assertThat(d.part("db").orElseThrow().schemaVersion()).contains("V42");
            assertThat(d.part("db").orElseThrow().attributes()).containsEntry("server", "15.4");
            assertThat(d.part("files").orElseThrow().schemaVersion()).contains("dir-1");

            Path copy = f.root.resolve("upload.tgz");
            Files.copy(stored.open(0), copy);
            OperationStatus restore = Fixture.await(engine.startRestore(RestoreSource.takingOwnership(copy)));
            assertThat(restore.succeeded()).as(restore.statusMessage()).isTrue();
            assertThat(restore.statusMessage()).isEqualTo("OK");
            assertThat(copy).doesNotExist();

            assertThat(Fixture.snapshot(f.filesTarget)).isEqualTo(Fixture.snapshot(f.source));
            for (String stream : new String[] {"table-a", "table-b", "copy", "empty"}) {
                assertThat(f.streamsTarget.resolve(stream)).hasBinaryContent(StreamPart.content(stream));
            }
            assertThat(f.streamsTarget.resolve("old-dump")).doesNotExist();
            assertThat(f.files.commits).hasValue(1);
            assertThat(f.streams.commits).hasValue(1);

            MaintenanceStatus status = engine.status();
            assertThat(status.running()).isFalse();
            assertThat(status.backup()).contains(backup);
            assertThat(status.restore()).contains(restore);
            assertThat(status.progress()).isEmpty();
        }
    }

    @Test
    void archiveIsReadableBySystemTarWithHeaderFirstAndSignatureLast() throws Exception {
        Fixture f = new Fixture(tmp);
        try (MaintenanceEngine engine = f.builder().build()) {
            Path archive = f.backup(engine, "copy.tgz");
            var names = Fixture.run(tmp, "tar", "tzf", archive.toString());
            assertThat(names.get(0)).isEqualTo("keepsake/header.json");
            assertThat(names.get(names.size() - 2)).isEqualTo("keepsake/manifest.json");
            assertThat(names.get(names.size() - 1)).isEqualTo("keepsake/manifest.sig");
            assertThat(names).contains("parts/files/" + Fixture.LONG_NAME, "parts/files/emptydir/",
                    "parts/files/link", "parts/files/sub/Grüße ünïcødé.txt", "parts/db/table-a.chunk-000000",
                    "parts/db/empty.chunk-000000", "parts/db/copy.chunk-000010");
            // extracting with tar gives the same bytes
            Path out = Files.createDirectories(tmp.resolve("extracted"));
            Fixture.run(out, "tar", "xzf", archive.toString());
            assertThat(out.resolve("parts/files/sub/b.bin")).hasSameBinaryContentAs(f.source.resolve("sub/b.bin"));
            assertThat(Files.readSymbolicLink(out.resolve("parts/files/link"))).isEqualTo(Path.of("a.txt"));
        }
    }
}
