package dev.keepsake.postgres;

import dev.keepsake.core.ArchiveKey;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.core.OperationStatus;
import dev.keepsake.core.RestoreSource;
import dev.keepsake.core.Version;
import dev.keepsake.core.spi.BackupStore;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Backups and restores through the real core engine: signed archive, verified restore. */
final class EngineTransfer {

    static final ArchiveKey KEY = ArchiveKey.of("test-key", "0123456789abcdef0123456789abcdef-test".getBytes());

    private EngineTransfer() {
    }

    static MaintenanceEngine engine(PostgresPart part, Path workDir) {
        return MaintenanceEngine.builder().product("keepsake-test", Version.parse("1.0.0")).part(part)
                .workDirectory(workDir).signingKey(KEY).build();
    }

    /** Backs up through an engine in {@code workDir}; returns a copy of the archive in {@code workDir}. */
    static Path backup(PostgresPart part, Path workDir) throws Exception {
        try (MaintenanceEngine engine = engine(part, workDir.resolve("engine"))) {
            OperationStatus status = engine.startBackup().completion().get(10, TimeUnit.MINUTES);
            assertThat(status.succeeded()).as("backup: %s", status.statusMessage()).isTrue();
            BackupStore.StoredBackup stored = engine.latestBackup().orElseThrow();
            Path copy = workDir.resolve("archive.tgz");
            try (InputStream in = stored.open(0)) {
                Files.copy(in, copy);
            }
            return copy;
        }
    }

    /** Restores through an engine in {@code workDir}; returns the final status (succeeded or not). */
    static OperationStatus restore(PostgresPart part, Path archive, Path workDir) throws Exception {
        try (MaintenanceEngine engine = engine(part, workDir)) {
            return engine.startRestore(RestoreSource.of(archive)).completion().get(10, TimeUnit.MINUTES);
        }
    }
}
