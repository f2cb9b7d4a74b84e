package dev.keepsake.core.internal.engine;

import dev.keepsake.core.ArchiveVerificationException;
import dev.keepsake.core.BackupVerification;
import dev.keepsake.core.ErrorCode;
import dev.keepsake.core.internal.archive.ArchiveLayout;
import dev.keepsake.core.internal.archive.ArchiveVerifier;
import dev.keepsake.core.internal.archive.ArchiveWriter;
import dev.keepsake.core.internal.archive.Manifest;
import dev.keepsake.core.spi.BackupJob;
import dev.keepsake.core.spi.BackupStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One backup: before-hook, then every part streamed into a new archive in the store, then the signed manifest, then
 * commit; any failure aborts the pending backup so the previous one stays the one served. Runs on the operation's
 * thread.
 */
public final class BackupProcedure {

    private static final Logger LOG = LoggerFactory.getLogger(BackupProcedure.class);
    private static final String KEPT = "the previous backup is still the one served";

    private final EngineSettings settings;
    private final RunningOperation op;

    public BackupProcedure(EngineSettings settings, RunningOperation op) {
        this.settings = settings;
        this.op = op;
    }

    private String describe(Throwable t) {
        return OperationFailure.describe(t, settings.workDirectory());
    }

    /** Runs the backup; returns normally on success, throws {@link OperationFailure} otherwise. */
    public void run() {
        op.stage("running before-backup hook", "", -1);
        try {
            op.quiesced = settings.hooks().beforeBackup(op.id);
        } catch (Exception e) {
            if (OperationFailure.isInterruption(e)) {
                throw interrupted(e);
            }
            throw new OperationFailure(ErrorCode.HOOK_FAILED, "Backup failed: the before-backup hook failed ("
                    + describe(e) + "); nothing was written and " + KEPT + ". Fix the hook's problem and start the "
                    + "backup again.", e);
        }
        boolean succeeded = false;
        try {
            write();
            succeeded = true;
        } finally {
            op.stage("running after-backup hook", "", -1);
            try {
                settings.hooks().afterBackup(op.id, succeeded);
            } catch (Exception e) {
                if (succeeded) {
                    throw new OperationFailure(ErrorCode.HOOK_FAILED, "The backup was stored, but the after-backup "
                            + "hook failed (" + describe(e) + "); check the application (it may still be in "
                            + "maintenance mode).", e);
                }
                LOG.warn("{} - after-backup hook failed after a failed backup: {}", op.id, describe(e));
            }
        }
    }

    private OperationFailure interrupted(Throwable cause) {
        return new OperationFailure(ErrorCode.INTERRUPTED, "The backup was interrupted (the service is shutting "
                + "down or the operation was cancelled); " + KEPT + ". Start the backup again.", cause);
    }

    /**
     * Finishes reading the new archive's file back (see {@link StoredBytesCheck}) before it becomes visible: its size
     * and SHA-256 must be those of the bytes the writer produced.
     */
    private void checkStoredBytes(StoredBytesCheck check, ArchiveWriter.Result written)
            throws IOException, InterruptedException {
        op.stage("checking the stored backup", "", written.size());
        String problem = check.verify(written.size(), written.sha256(), op.bytesDone::set);
        if (problem != null) {
            throw new OperationFailure(ErrorCode.STORE_FAILED, "Backup failed: the archive written to the store did "
                    + "not verify when read back (" + problem + "); " + KEPT + ". Check the disk of the backup "
                    + "directory, then start the backup again.", null);
        }
    }

    /** Reads the new archive back before it becomes visible: it must verify and say what was written. */
    private void verifyWritten(Path file, StoredBytesCheck check, ArchiveWriter.Result written)
            throws IOException, InterruptedException {
        checkStoredBytes(check, written);
        op.stage("verifying the new backup", "", written.size());
        ArchiveVerifier.VerifiedArchive v;
        try {
            v = settings.ownArchiveVerifier().verifyFully(file, op.bytesDone::set);
        } catch (ArchiveVerificationException e) {
            throw new OperationFailure(ErrorCode.STORE_FAILED, "Backup failed: the archive written to the store did "
                    + "not verify when read back (" + OperationFailure.lowerFirst(e.getMessage()) + "); " + KEPT
                    + ". Check the disk of the backup directory, then start the backup again.", e);
        }
        if (!v.manifest().equals(written.manifest())) {
            throw new OperationFailure(ErrorCode.STORE_FAILED, "Backup failed: the archive read back from the store "
                    + "differs from what was written; " + KEPT + ". Check the disk of the backup directory.", null);
        }
    }

    private void write() {
        BackupStore.PendingBackup pending;
        op.stage("starting the archive", "", -1);
        try {
            pending = settings.store().begin(op.id);
        } catch (IOException | RuntimeException e) {
            throw new OperationFailure(ErrorCode.STORE_FAILED, "Backup failed: the backup store could not start a "
                    + "new backup (" + describe(e) + "); " + KEPT + ". Check free space and permissions of the "
                    + "backup directory.", e);
        }
        boolean committed = false;
        ArchiveWriter writer = null;
        StoredBytesCheck check = null;
        String part = null;
        try {
            List<Manifest.Part> declared = new ArrayList<>();
            for (BackupJob job : settings.backupJobs()) {
                part = job.name();
                op.stage("reading the schema version", part, -1);
                String schema = job.schemaVersion(op).orElse(null);
                if (schema != null && (schema.isEmpty() || schema.length() > 1000)) {
                    throw new IOException("schemaVersion() returned " + (schema.isEmpty() ? "an empty string"
                            : "more than 1000 characters") + "; return a short version or none");
                }
                declared.add(new Manifest.Part(job.name(), job.type(), schema, Map.of(), 0, 0));
            }
            part = null;
            Manifest header = new Manifest(ArchiveLayout.FORMAT_VERSION, settings.productName(),
                    settings.productVersion().toString(), op.id, op.startedAt, declared, List.of(), 0, 0);
            Optional<Path> file = pending.localFile();
            OutputStream output = pending.output();
            if (file.isPresent() && settings.backupVerification() != BackupVerification.NONE) {
                check = new StoredBytesCheck(file.get(), op.id);
                output = check.watch(output);
            }
            writer = new ArchiveWriter(output, settings.format(), settings.compressionLevel(), header);
            writer.start();
            op.stage("backing up", "", -1);
            for (int i = 0; i < declared.size(); i++) {
                BackupJob job = settings.backupJobs().get(i);
                part = job.name();
                op.part("backing up", part);
                ArchiveWriter.Part out = writer.openPart(declared.get(i), op);
                job.write(out, op);
                writer.closePart(out);
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException("interrupted after part " + part);
                }
            }
            part = null;
            op.part("writing the manifest", "");
            ArchiveWriter.Result result = writer.finish(settings.signingKey());
            if (check != null && settings.backupVerification() == BackupVerification.FULL) {
                verifyWritten(file.get(), check, result);
            } else if (check != null) {
                checkStoredBytes(check, result);
            }
            op.part("storing the backup", "");
            BackupStore.StoredBackup stored = pending.commit(result.size(), result.sha256());
            committed = true;
            LOG.info("{} - backup stored: {} bytes, {} entries", op.id, stored.size(), result.manifest().entryCount());
        } catch (OperationFailure e) {
            throw e;
        } catch (Exception e) {
            if (OperationFailure.isInterruption(e) || op.interruptRequested) {
                throw interrupted(e);
            }
            if (part != null) {
                throw new OperationFailure(ErrorCode.PART_FAILED, "Backup failed in part '" + part + "' ("
                        + describe(e) + "); " + KEPT + ". Fix the problem and start the backup again.", e);
            }
            throw new OperationFailure(ErrorCode.STORE_FAILED, "Backup failed while writing the archive ("
                    + describe(e) + "); " + KEPT + ". Check free space and permissions of the backup directory.", e);
        } finally {
            if (check != null) {
                check.close();
            }
            if (!committed) {
                if (writer != null) {
                    writer.abort();
                }
                try {
                    pending.abort();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("{} - could not discard the unfinished backup: {}", op.id, describe(e));
                }
            }
            try {
                pending.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("{} - could not close the pending backup: {}", op.id, describe(e));
            }
        }
    }
}
