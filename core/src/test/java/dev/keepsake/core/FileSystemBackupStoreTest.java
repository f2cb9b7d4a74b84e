package dev.keepsake.core;

import dev.keepsake.core.spi.BackupStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileSystemBackupStoreTest {

    @TempDir
    Path dir;

    private static BackupStore.StoredBackup store(BackupStore store, String id, String content) throws IOException {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        try (BackupStore.PendingBackup p = store.begin(id)) {
            OutputStream out = p.output();
            out.write(b);
            return p.commit(b.length, Fixture.sha256(b));
        }
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void keepsTheNewestBackupsUpToTheRetentionCount() throws IOException {
        FileSystemBackupStore store = FileSystemBackupStore.builder().directory(dir).retain(2).build();
        store(store, "1.0.0_2024-01-01T00:00:00.000Z", "one");
        store(store, "1.0.0_2024-01-02T00:00:00.000Z", "two");
        store(store, "1.0.0_2024-01-03T00:00:00.000Z", "three");

        assertThat(store.list()).extracting(BackupStore.StoredBackup::id)
                .containsExactly("1.0.0_2024-01-03T00:00:00.000Z", "1.0.0_2024-01-02T00:00:00.000Z");
        assertThat(files()).containsExactly(
                "keepsake-1.0.0_2024-01-02T00-00-00.000Z.tgz", "keepsake-1.0.0_2024-01-02T00-00-00.000Z.tgz.json",
                "keepsake-1.0.0_2024-01-03T00-00-00.000Z.tgz", "keepsake-1.0.0_2024-01-03T00-00-00.000Z.tgz.json");
        BackupStore.StoredBackup latest = store.latest().orElseThrow();
        assertThat(latest.size()).isEqualTo(5);
        assertThat(latest.sha256()).isEqualTo(Fixture.sha256("three".getBytes(StandardCharsets.UTF_8)));
        try (InputStream in = latest.open(2)) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("ree");
        }
        assertThatThrownBy(() -> latest.open(6)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPendingBackupIsInvisibleUntilCommittedAndLeavesNothingWhenAborted() throws IOException {
        FileSystemBackupStore store = FileSystemBackupStore.builder().directory(dir).build();
        store(store, "1.0.0_2024-01-01T00:00:00.000Z", "one");
        try (BackupStore.PendingBackup p = store.begin("1.0.0_2024-01-02T00:00:00.000Z")) {
            p.output().write(new byte[1000]);
            assertThat(store.latest().orElseThrow().id()).isEqualTo("1.0.0_2024-01-01T00:00:00.000Z");
            p.abort();
        }
        assertThat(files()).containsExactly("keepsake-1.0.0_2024-01-01T00-00-00.000Z.tgz",
                "keepsake-1.0.0_2024-01-01T00-00-00.000Z.tgz.json");
    }

    @Test
    void commitRefusesASizeThatDiffersFromWhatWasWritten() throws IOException {
        FileSystemBackupStore store = FileSystemBackupStore.builder().directory(dir).build();
        try (BackupStore.PendingBackup p = store.begin("1.0.0_2024-01-01T00:00:00.000Z")) {
            p.output().write(new byte[10]);
            assertThatThrownBy(() -> p.commit(11, "00")).isInstanceOf(IOException.class)
                    .hasMessageContaining("received 10 bytes but the archive has 11");
        }
        assertThat(store.list()).isEmpty();
        assertThat(files()).isEmpty();
    }

    @Test
    void staleTempFilesAndArchivesWithoutRecordAreSweptAtStart() throws IOException {
        FileSystemBackupStore first = FileSystemBackupStore.builder().directory(dir).build();
        store(first, "1.0.0_2024-01-01T00:00:00.000Z", "kept");
        Files.writeString(dir.resolve(".tmp-0123456789abcdef"), "half a backup");
        Files.writeString(dir.resolve("keepsake-1.0.0_2024-01-02T00-00-00.000Z.tgz"), "renamed, record missing");
        Files.writeString(dir.resolve("keepsake-1.0.0_2024-01-03T00-00-00.000Z.tgz.json"), "{}");
        Files.writeString(dir.resolve("unrelated.txt"), "not ours");

        FileSystemBackupStore restarted = FileSystemBackupStore.builder().directory(dir).build();

        assertThat(files()).containsExactly("keepsake-1.0.0_2024-01-01T00-00-00.000Z.tgz",
                "keepsake-1.0.0_2024-01-01T00-00-00.000Z.tgz.json", "unrelated.txt");
        assertThat(restarted.list()).extracting(BackupStore.StoredBackup::id)
                .containsExactly("1.0.0_2024-01-01T00:00:00.000Z");
    }

    @Test
    void anArchiveWhoseSizeNoLongerMatchesItsRecordIsNotListed() throws IOException {
        FileSystemBackupStore store = FileSystemBackupStore.builder().directory(dir).build();
        BackupStore.StoredBackup b = store(store, "1.0.0_2024-01-01T00:00:00.000Z", "content");
        Files.writeString(dir.resolve(b.fileName()), "cut");
        assertThat(store.list()).isEmpty();
    }

    @Test
    void builderValidatesEverythingAtOnce() {
        assertThatThrownBy(() -> FileSystemBackupStore.builder().retain(0).format(null).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("the backup directory is required")
                .hasMessageContaining("retain must be at least 1 but is 0")
                .hasMessageContaining("the archive format must not be null");
    }

    @Test
    void engineKeepsTheConfiguredNumberOfBackups() throws Exception {
        Fixture f = new Fixture(dir.resolve("fixture"));
        try (MaintenanceEngine engine = f.builder().retainBackups(2).build()) {
            f.backup(engine, "1.tgz");
            f.backup(engine, "2.tgz");
            f.backup(engine, "3.tgz");
            assertThat(engine.store().list()).hasSize(2);
            try (Stream<Path> s = Files.list(f.work.resolve("backups"))) {
                assertThat(s.filter(p -> p.toString().endsWith(".tgz")).count()).isEqualTo(2);
            }
        }
    }
}
