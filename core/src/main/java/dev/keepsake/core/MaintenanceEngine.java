package dev.keepsake.core;

import dev.keepsake.core.spi.BackupJob;
import dev.keepsake.core.spi.BackupStore;
import dev.keepsake.core.spi.OperationLock;
import dev.keepsake.core.spi.RestoreJob;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * Runs backups and restores of the configured parts, one at a time, and reports their status.
 *
 * <p>{@link #startBackup()} and {@link #startRestore} return at once and run the operation on the configured
 * executor (by default a named daemon thread per operation). The status survives a restart: it is persisted in the
 * work directory, and an operation cut off by a crash reads as failed ("interrupted") afterwards.
 *
 * <p><b>Thread-safe:</b> every method may be called from any thread.
 */
public final class MaintenanceEngine implements AutoCloseable {
    // Implementation: see the core issue; the builder below is the configuration contract.

    /** Starts a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a backup of all parts into the store.
     *
     * @throws OperationInProgressException when another operation runs
     */
    public Operation startBackup() {
        throw new UnsupportedOperationException("pending");
    }

    /**
     * Starts a restore from an archive: verifies the whole archive and asks the version policy before any part
     * prepares; a refusal or a damaged archive changes nothing.
     *
     * @throws OperationInProgressException when another operation runs (the source is then not deleted: the caller
     *                                      keeps it)
     */
    public Operation startRestore(RestoreSource source) {
        throw new UnsupportedOperationException("pending");
    }

    /** The current status; cheap, never blocks on a running operation. */
    public MaintenanceStatus status() {
        throw new UnsupportedOperationException("pending");
    }

    /** The newest complete backup in the store, if any. Never a backup still being written. */
    public Optional<BackupStore.StoredBackup> latestBackup() {
        throw new UnsupportedOperationException("pending");
    }

    /**
     * Verifies an archive completely (signature, set and order of entries, sizes, hashes, nothing after the end) and
     * checks it against the version policy, without changing anything.
     *
     * @throws ArchiveVerificationException when the archive is damaged, tampered with or not acceptably signed
     * @throws IncompatibleBackupException  when the version policy refuses it
     */
    public BackupDescription verify(Path archive) {
        throw new UnsupportedOperationException("pending");
    }

    /** Stops accepting operations and waits (bounded) for a running one to notice interruption. Idempotent. */
    @Override
    public void close() {
    }

    /**
     * Configuration of an engine; validated once in {@link #build()}, which lists every problem in one message.
     * Not thread-safe.
     */
    public static final class Builder {
        String productName = "keepsake";
        Version productVersion;
        final List<BackupJob> backupJobs = new ArrayList<>();
        final List<RestoreJob> restoreJobs = new ArrayList<>();
        Path workDirectory;
        BackupStore store;
        int retainBackups = 1;
        final List<ArchiveKey> verificationKeys = new ArrayList<>();
        ArchiveKey signingKey;
        boolean allowUnsignedArchives;
        VersionCompatibility compatibility = VersionCompatibility.newerVersionsRefused();
        MaintenanceHooks hooks = MaintenanceHooks.NONE;
        OperationLock lock;
        Executor executor;
        ArchiveFormat format = ArchiveFormat.GZIP;
        int compressionLevel = 1;
        Clock clock = Clock.systemUTC();

        Builder() {
        }

        /** The product's name and version, recorded in every backup and used by the version policy. Required. */
        public Builder product(String name, Version version) {
            this.productName = name;
            this.productVersion = version;
            return this;
        }

        /** Adds a part that both backs up and restores (e.g. the PostgreSQL part). Parts commit in the order added. */
        public <P extends BackupJob & RestoreJob> Builder part(P part) {
            backupJobs.add(part);
            restoreJobs.add(part);
            return this;
        }

        /** Adds a part given as a separate backup and restore job with the same name. */
        public Builder part(BackupJob backup, RestoreJob restore) {
            backupJobs.add(backup);
            restoreJobs.add(restore);
            return this;
        }

        /**
         * Directory for the status file, temp files and (unless {@link #store} is set) the backups. Required. Must be
         * on a filesystem with room for the largest backup.
         */
        public Builder workDirectory(Path dir) {
            this.workDirectory = dir;
            return this;
        }

        /** Where finished backups live. Default: a file-system store in {@code <workDirectory>/backups}. */
        public Builder store(BackupStore store) {
            this.store = store;
            return this;
        }

        /** How many finished backups the default store keeps (≥ 1). Default 1. */
        public Builder retainBackups(int n) {
            this.retainBackups = n;
            return this;
        }

        /** The key that signs new backups; it also verifies. */
        public Builder signingKey(ArchiveKey key) {
            this.signingKey = key;
            return this;
        }

        /** Further keys accepted when verifying (older keys during a rotation). */
        public Builder verificationKeys(List<ArchiveKey> keys) {
            this.verificationKeys.addAll(keys);
            return this;
        }

        /**
         * Whether archives without a signature may be restored. Default false: with no key configured, backups are
         * written unsigned and every restore is refused ("fail closed").
         */
        public Builder allowUnsignedArchives(boolean allow) {
            this.allowUnsignedArchives = allow;
            return this;
        }

        /** The version policy. Default: {@link VersionCompatibility#newerVersionsRefused()}. */
        public Builder compatibility(VersionCompatibility policy) {
            this.compatibility = policy;
            return this;
        }

        /** Callbacks around operations. Default: none. */
        public Builder hooks(MaintenanceHooks hooks) {
            this.hooks = hooks;
            return this;
        }

        /** The operation lock. Default: in this process only. */
        public Builder lock(OperationLock lock) {
            this.lock = lock;
            return this;
        }

        /** Where operations run. Default: a new daemon thread per operation, named {@code keepsake-<op>-<id>}. */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        /** Archive compression. Default {@link ArchiveFormat#GZIP}. */
        public Builder format(ArchiveFormat format) {
            this.format = format;
            return this;
        }

        /** Compression level: 1–9 for gzip, 1–19 for zstd. Default 1 (fast). */
        public Builder compressionLevel(int level) {
            this.compressionLevel = level;
            return this;
        }

        /** Clock for ids and dates. Default UTC system clock. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * Validates and builds; creates the work directory, sweeps stale temp files and marks an operation left
         * running by a crash as interrupted.
         *
         * @throws InvalidConfigurationException listing every problem
         */
        public MaintenanceEngine build() {
            throw new UnsupportedOperationException("pending");
        }
    }
}
