package dev.keepsake.core.internal.engine;

import dev.keepsake.core.ArchiveFormat;
import dev.keepsake.core.ArchiveKey;
import dev.keepsake.core.BackupVerification;
import dev.keepsake.core.MaintenanceHooks;
import dev.keepsake.core.Version;
import dev.keepsake.core.VersionCompatibility;
import dev.keepsake.core.internal.archive.ArchiveVerifier;
import dev.keepsake.core.spi.BackupJob;
import dev.keepsake.core.spi.BackupStore;
import dev.keepsake.core.spi.OperationLock;
import dev.keepsake.core.spi.RestoreJob;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/** The validated configuration of an engine. Immutable (the jobs, store, lock and hooks are the user's objects). */
public record EngineSettings(String productName, Version productVersion, List<BackupJob> backupJobs,
                      List<RestoreJob> restoreJobs, Path workDirectory, BackupStore store, OperationLock lock,
                      Executor executor, ArchiveKey signingKey, ArchiveVerifier verifier,
                      VersionCompatibility compatibility, MaintenanceHooks hooks, ArchiveFormat format,
                      int compressionLevel, Clock clock, Duration shutdownTimeout,
                      BackupVerification backupVerification,
                      ArchiveVerifier ownArchiveVerifier) {

    public EngineSettings {
        backupJobs = List.copyOf(backupJobs);
        restoreJobs = List.copyOf(restoreJobs);
    }
}
