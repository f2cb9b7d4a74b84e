package dev.keepsake.postgres;

import dev.keepsake.core.OperationStatus;
import dev.keepsake.core.spi.BackupStore;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.core.RestoreSource;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Run in a child JVM with a small heap by {@link MemoryIT}: backs up one database and restores it into another
 * through the real engine, then prints timings, the archive size and the peak heap use. Connection settings come from
 * the environment (KEEPSAKE_PROBE_*), never from the command line.
 */
public final class MemoryProbe {

    private MemoryProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        PostgresPart source = PostgresPart.builder().dataSource(dataSource("KEEPSAKE_PROBE_SOURCE_URL")).build();
        PostgresPart target = PostgresPart.builder().dataSource(dataSource("KEEPSAKE_PROBE_TARGET_URL")).build();
        long t0 = System.nanoTime();
        Path archive = work.resolve("archive.tgz");
        try (MaintenanceEngine engine = EngineTransfer.engine(source, work.resolve("backup"))) {
            OperationStatus status = engine.startBackup().completion().get(30, TimeUnit.MINUTES);
            if (!status.succeeded()) {
                throw new IllegalStateException("backup failed: " + status.statusMessage());
            }
            BackupStore.StoredBackup stored = engine.latestBackup().orElseThrow();
            try (InputStream in = stored.open(0)) {
                Files.copy(in, archive);
            }
        }
        long t1 = System.nanoTime();
        try (MaintenanceEngine engine = EngineTransfer.engine(target, work.resolve("restore"))) {
            OperationStatus status = engine.startRestore(RestoreSource.of(archive)).completion().get(30, TimeUnit.MINUTES);
            if (!status.succeeded()) {
                throw new IllegalStateException("restore failed: " + status.statusMessage());
            }
        }
        long t2 = System.nanoTime();
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.println("backup_ms=" + (t1 - t0) / 1_000_000 + " restore_ms=" + (t2 - t1) / 1_000_000
                + " archive_bytes=" + Files.size(archive) + " peak_heap_bytes=" + peak
                + " max_heap_bytes=" + Runtime.getRuntime().maxMemory());
    }

    private static PGSimpleDataSource dataSource(String urlVariable) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(System.getenv(urlVariable));
        ds.setUser(System.getenv("KEEPSAKE_PROBE_USER"));
        ds.setPassword(System.getenv("KEEPSAKE_PROBE_PASSWORD"));
        return ds;
    }
}
