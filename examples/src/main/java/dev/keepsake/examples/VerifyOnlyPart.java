package dev.keepsake.examples;

import dev.keepsake.core.spi.BackupJob;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartReader;
import dev.keepsake.core.spi.PartWriter;
import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.core.spi.RestoreJob;

import java.io.IOException;

/**
 * The part of the engine {@code verify} builds: the engine requires at least one part, but verifying an archive
 * (signature, entries, hashes, version policy) never runs one, so this one refuses to back up or restore anything.
 * Stateless and thread-safe.
 */
final class VerifyOnlyPart implements BackupJob, RestoreJob {

    @Override
    public String name() {
        return "verify-only";
    }

    @Override
    public String type() {
        return "none";
    }

    @Override
    public void write(PartWriter out, JobContext context) throws IOException {
        throw new IOException("the verify command never backs anything up");
    }

    @Override
    public PreparedRestore prepare(PartReader in, JobContext context) throws IOException {
        throw new IOException("the verify command never restores anything");
    }
}
