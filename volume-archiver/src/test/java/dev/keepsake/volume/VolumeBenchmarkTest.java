package dev.keepsake.volume;

import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.core.OperationStatus;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Throughput figures (not assertions): many small files and one large incompressible file through the real engine,
 * restore with and without fsync. Off by default; run with {@code -Dkeepsake.test.benchmark=true} and read the log.
 */
class VolumeBenchmarkTest {

    private static final Logger LOG = LoggerFactory.getLogger(VolumeBenchmarkTest.class);

    @TempDir
    Path tmp;

    @Test
    void measureThroughput() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("keepsake.test.benchmark"),
                "set -Dkeepsake.test.benchmark=true to measure");
        Path small = tmp.resolve("small");
        Random r = new Random(1);
        byte[] b = new byte[4096];
        int files = 20_000;
        for (int i = 0; i < files; i++) {
            Path dir = small.resolve("d" + (i % 200));
            Files.createDirectories(dir);
            r.nextBytes(b);
            Files.write(dir.resolve("f" + i), b);
        }
        Path large = tmp.resolve("large");
        Files.createDirectories(large);
        byte[] chunk = new byte[1 << 20];
        try (var out = Files.newOutputStream(large.resolve("random.bin"))) {
            for (int i = 0; i < 512; i++) {
                r.nextBytes(chunk);
                out.write(chunk);
            }
        }
        run("20,000 files of 4 KiB", small, files, 20_000L * 4096, true);
        run("20,000 files of 4 KiB", small, files, 20_000L * 4096, false);
        run("one 512 MiB random file", large, 1, 512L << 20, true);
    }

    private void run(String what, Path source, int files, long bytes, boolean sync) throws Exception {
        String tag = source.getFileName() + (sync ? "-sync" : "-nosync");
        Path target = tmp.resolve("restored-" + tag);
        Files.createDirectories(target);
        Path archive;
        long t0 = System.nanoTime();
        try (MaintenanceEngine engine = Engines.builder(tmp.resolve("work-b-" + tag))
                .part(VolumePart.builder().name("v").path(source).build()).build()) {
            archive = Engines.backup(engine, tmp.resolve(tag + ".tgz"));
        }
        long t1 = System.nanoTime();
        try (MaintenanceEngine engine = Engines.builder(tmp.resolve("work-r-" + tag))
                .part(VolumePart.builder().name("v").path(target).syncOnRestore(sync).build()).build()) {
            OperationStatus s = Engines.restore(engine, archive);
            assertThat(s.succeeded()).as(s.statusMessage()).isTrue();
        }
        long t2 = System.nanoTime();
        double backup = (t1 - t0) / 1e9;
        double restore = (t2 - t1) / 1e9;
        LOG.info("{} (syncOnRestore={}): backup {} s = {} files/s, {} MB/s; restore {} s = {} files/s, {} MB/s",
                what, sync, String.format("%.1f", backup), Math.round(files / backup),
                String.format("%.0f", bytes / backup / 1e6), String.format("%.1f", restore),
                Math.round(files / restore), String.format("%.0f", bytes / restore / 1e6));
    }
}
