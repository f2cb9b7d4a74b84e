package dev.keepsake.examples;

import dev.keepsake.core.spi.BackupStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SingleFileStoreTest {

    @TempDir
    Path dir;

    @Test
    void outputAppearsOnlyWhenCommittedAndReplacesThePreviousFile() throws Exception {
        Path target = dir.resolve("nightly.tgz");
        Files.writeString(target, "previous backup");
        SingleFileStore store = new SingleFileStore(target);
        byte[] archive = "new archive bytes".getBytes(StandardCharsets.UTF_8);

        try (BackupStore.PendingBackup pending = store.begin("1.3.0_2026-01-01T00:00:00.000Z")) {
            pending.output().write(archive);
            pending.output().flush();
            // the engine checks the archive in the temp file, next to the target, before it is committed
            Path temp = pending.localFile().orElseThrow();
            assertThat(temp.getParent()).isEqualTo(dir);
            assertThat(Files.readAllBytes(temp)).isEqualTo(archive);
            assertThat(Files.readString(target)).isEqualTo("previous backup");
            assertThat(store.list()).isEmpty();
            BackupStore.StoredBackup stored = pending.commit(archive.length, "00");
            assertThat(stored.id()).isEqualTo("1.3.0_2026-01-01T00:00:00.000Z");
            try (InputStream in = stored.open(4)) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("archive bytes");
            }
        }

        assertThat(Files.readAllBytes(target)).isEqualTo(archive);
        assertThat(store.written()).isPresent();
        assertThat(siblings()).containsExactly("nightly.tgz");
    }

    @Test
    void abortedBackupLeavesTheOldFileAndNoTempFile() throws Exception {
        Path target = dir.resolve("nightly.tgz");
        Files.writeString(target, "previous backup");
        SingleFileStore store = new SingleFileStore(target);

        try (BackupStore.PendingBackup pending = store.begin("id")) {
            pending.output().write(new byte[100_000]);
            pending.abort();
        }

        assertThat(Files.readString(target)).isEqualTo("previous backup");
        assertThat(siblings()).containsExactly("nightly.tgz");
    }

    @Test
    void commitRefusesAFileShorterThanWhatTheEngineWrote() throws Exception {
        Path target = dir.resolve("out.tgz");
        SingleFileStore store = new SingleFileStore(target);

        try (BackupStore.PendingBackup pending = store.begin("id")) {
            pending.output().write(new byte[10]);
            assertThatThrownBy(() -> pending.commit(11, "00")).hasMessageContaining("10 bytes but 11");
        }

        assertThat(target).doesNotExist();
        assertThat(siblings()).isEmpty();
    }

    private java.util.List<String> siblings() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
