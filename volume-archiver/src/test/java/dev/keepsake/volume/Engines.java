package dev.keepsake.volume;

import dev.keepsake.core.ArchiveKey;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.core.OperationStatus;
import dev.keepsake.core.RestoreSource;
import dev.keepsake.core.Version;
import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.BackupJob;
import dev.keepsake.core.spi.BackupStore;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartReader;
import dev.keepsake.core.spi.PartWriter;
import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.core.spi.RestoreJob;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** Builds real engines over volume parts, and runs their operations to the end. */
final class Engines {

    static final ArchiveKey KEY = ArchiveKey.of("volume-tests", seq(32));
    static final String VERSION = "1.0.0";

    private Engines() {
    }

    private static byte[] seq(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }

    static MaintenanceEngine.Builder builder(Path work) {
        return MaintenanceEngine.builder().product("demo", Version.parse(VERSION)).workDirectory(work).signingKey(KEY);
    }

    static OperationStatus await(MaintenanceEngine engine, boolean backup, Path archive) throws Exception {
        var op = backup ? engine.startBackup() : engine.startRestore(RestoreSource.of(archive));
        return op.completion().get(10, TimeUnit.MINUTES);
    }

    /** Backs up and copies the archive out of the store; fails with the status message when the backup failed. */
    static Path backup(MaintenanceEngine engine, Path copy) throws Exception {
        OperationStatus s = await(engine, true, null);
        if (!s.succeeded()) {
            throw new AssertionError("backup failed: " + s.statusMessage());
        }
        BackupStore.StoredBackup b = engine.latestBackup().orElseThrow();
        try (InputStream in = b.open(0)) {
            Files.copy(in, copy);
        }
        return copy;
    }

    static OperationStatus restore(MaintenanceEngine engine, Path archive) throws Exception {
        return await(engine, false, archive);
    }

    /** A part holding one small file whose commit always fails (to test what a failed commit does to volumes). */
    static final class FailingCommitPart implements BackupJob, RestoreJob {
        @Override
        public String name() {
            return "failing";
        }

        @Override
        public String type() {
            return "test";
        }

        @Override
        public void write(PartWriter out, JobContext context) throws IOException {
            try (OutputStream os = out.addEntry(ArchiveEntry.file("x", 1, 0644, Instant.EPOCH))) {
                os.write('x');
            }
        }

        @Override
        public PreparedRestore prepare(PartReader in, JobContext context) throws IOException {
            while (in.next().isPresent()) {
                // read everything: the engine re-hashes while we read
            }
            return new PreparedRestore() {
                @Override
                public void commit() throws IOException {
                    throw new IOException("simulated commit failure of part 'failing'");
                }

                @Override
                public void abort() {
                    // nothing was staged
                }
            };
        }
    }
}
