package dev.keepsake.benchmarks;

import dev.keepsake.core.ArchiveFormat;
import dev.keepsake.core.ArchiveKey;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.core.Operation;
import dev.keepsake.core.OperationStatus;
import dev.keepsake.core.RestoreSource;
import dev.keepsake.core.Version;
import dev.keepsake.core.spi.BackupStore;
import dev.keepsake.postgres.PostgresPart;
import dev.keepsake.postgres.spi.SchemaVersionProvider;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import javax.sql.DataSource;

/**
 * Runs Keepsake's backup and restore through the public API, as a service would: a {@link MaintenanceEngine} with one
 * {@link PostgresPart}, archives signed with a random key. Not thread-safe (one operation at a time).
 */
final class KeepsakeRunner {

    static final String PART = "postgres";

    private final Path work;
    private final ArchiveKey key;
    private final int parallelism;
    private int engines;
    private final PhaseClock backupPhases = new PhaseClock();
    private final PhaseClock zstdPhases = new PhaseClock();
    private final PhaseClock restorePhases = new PhaseClock();

    KeepsakeRunner(Path work, int parallelism) {
        this.work = work;
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.key = ArchiveKey.of("benchmark", secret);
        this.parallelism = parallelism;
    }

    /** Backs up a database; returns the archive, moved to {@code target} (replaced). */
    Path backup(DataSource source, ArchiveFormat format, Path target, Timer timer)
            throws IOException, InterruptedException {
        Path engineDir = work.resolve("engine-" + (++engines));
        try (MaintenanceEngine engine = engine(source, engineDir, format)) {
            OperationStatus status;
            try (PhaseClock.Running phases = (format == ArchiveFormat.ZSTD ? zstdPhases : backupPhases).watch(engine)) {
                timer.start();
                Operation op = engine.startBackup();
                status = await(op);
                timer.stop();
            }
            if (!status.succeeded()) {
                throw new IOException("Keepsake backup failed: " + status.statusMessage());
            }
            BackupStore.StoredBackup stored = engine.latestBackup()
                    .orElseThrow(() -> new IOException("Keepsake reported success but stored no backup"));
            Path file = engineDir.resolve("backups").resolve(stored.fileName());
            if (Files.isRegularFile(file) && Files.size(file) == stored.size()) {
                Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
            } else {
                try (InputStream in = stored.open(0)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } finally {
            Benchmark.deleteTree(engineDir);
        }
        return target;
    }

    /** Restores an archive into a database (all of it in one transaction). */
    void restore(Path archive, DataSource target, Timer timer) throws IOException, InterruptedException {
        Path engineDir = work.resolve("engine-" + (++engines));
        try (MaintenanceEngine engine = engine(target, engineDir, ArchiveFormat.GZIP)) {
            OperationStatus status;
            try (PhaseClock.Running phases = restorePhases.watch(engine)) {
                timer.start();
                Operation op = engine.startRestore(RestoreSource.of(archive));
                status = await(op);
                timer.stop();
            }
            if (!status.succeeded()) {
                throw new IOException("Keepsake restore failed: " + status.statusMessage());
            }
        } finally {
            Benchmark.deleteTree(engineDir);
        }
    }

    /** Where the time of Keepsake's gzip backups, zstd backups and restores went, phase by phase (averages). */
    Map<String, PhaseClock> phases() {
        Map<String, PhaseClock> result = new LinkedHashMap<>();
        result.put("backup (.tgz)", backupPhases);
        result.put("backup (zstd)", zstdPhases);
        result.put("restore", restorePhases);
        return result;
    }

    private MaintenanceEngine engine(DataSource dataSource, Path dir, ArchiveFormat format) {
        PostgresPart part = PostgresPart.builder().name(PART).dataSource(dataSource).parallelism(parallelism)
                .schemaVersionProvider(SchemaVersionProvider.none()).build();
        return MaintenanceEngine.builder()
                .product("keepsake-benchmark", Version.parse("1.0.0"))
                .part(part)
                .workDirectory(dir)
                .signingKey(key)
                .format(format)
                .build();
    }

    private static OperationStatus await(Operation op) throws InterruptedException, IOException {
        try {
            return op.completion().get();
        } catch (ExecutionException e) {
            throw new IOException("the operation ended abnormally: " + e.getCause(), e.getCause());
        }
    }

    /** Wall-clock time of the part between {@link #start()} and {@link #stop()}. Not thread-safe. */
    static final class Timer {
        private long started;
        private long nanos = -1;

        void start() {
            started = System.nanoTime();
        }

        void stop() {
            nanos = System.nanoTime() - started;
        }

        double seconds() {
            if (nanos < 0) {
                throw new IllegalStateException("the timer was not stopped");
            }
            return nanos / 1e9;
        }
    }
}
