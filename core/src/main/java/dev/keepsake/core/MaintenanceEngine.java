package dev.keepsake.core;

import dev.keepsake.core.internal.store.OwnerOnly;
import dev.keepsake.core.spi.support.DaemonThreads;
import dev.keepsake.core.internal.engine.OperationFailure;
import dev.keepsake.core.internal.engine.BackupProcedure;
import dev.keepsake.core.internal.engine.EngineSettings;
import dev.keepsake.core.internal.engine.RestoreProcedure;
import dev.keepsake.core.internal.engine.RunningOperation;
import dev.keepsake.core.internal.archive.ArchiveLayout;
import dev.keepsake.core.internal.archive.ArchiveVerifier;
import dev.keepsake.core.internal.compress.Compression;
import dev.keepsake.core.internal.engine.StatusFile;
import dev.keepsake.core.spi.BackupJob;
import dev.keepsake.core.spi.BackupStore;
import dev.keepsake.core.spi.OperationLock;
import dev.keepsake.core.spi.RestoreJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs backups and restores of the configured parts, one at a time, and reports their status.
 *
 * <p>{@link #startBackup()} and {@link #startRestore} take the operation lock synchronously (so of many racing calls
 * exactly one starts and the others get {@link OperationInProgressException}), return at once and run the operation
 * on the configured executor (by default a named daemon thread per operation, {@code keepsake-backup-<n>} /
 * {@code keepsake-restore-<n>}). The status survives a restart: it is persisted in
 * {@code <workDirectory>/status.json} on every change, and an operation cut off by a crash reads as failed
 * ("interrupted", {@link ErrorCode#INTERRUPTED}) afterwards.
 *
 * <p>A restore reads the archive twice: pass 1 verifies it without inflating its data (signature, manifest, header,
 * the size and SHA-256 of the compressed data the manifest records, nothing after the end; docs/archive-format.md)
 * and asks the version policy; only then does the before-restore hook run and do the parts prepare (pass 2, checking
 * every entry against the manifest and hashing every entry but the chunks as they read it, failing an entry that
 * differs before its last byte reaches the part, and the data's SHA-256 again after the last part), and only when
 * every part prepared do they commit. A new backup is
 * checked before it becomes visible as {@link Builder#backupVerification} says.
 *
 * <p><b>Thread-safe:</b> every method may be called from any thread.
 */
public final class MaintenanceEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceEngine.class);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** Default largest manifest accepted: 64 MiB. */
    public static final long DEFAULT_MAX_MANIFEST_BYTES = 64L << 20;
    /** Default most bytes an archive may decompress to: 1 TiB. */
    public static final long DEFAULT_MAX_UNCOMPRESSED_BYTES = 1L << 40;
    /** Default time {@link #close()} waits for a running operation to stop: 30 s. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    private final EngineSettings settings;
    private final StatusFile statusFile;
    private final Path uploadDirectory;
    private final Object stateLock = new Object();
    private final Object persistLock = new Object();
    private long stateVersion;
    private long persistedVersion;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile boolean closed;
    private OperationStatus lastBackup;
    private OperationStatus lastRestore;
    private RunningOperation current;
    private long lastIdMillis = Long.MIN_VALUE;

    private MaintenanceEngine(EngineSettings settings, StatusFile statusFile, Path uploadDirectory,
                              StatusFile.Snapshot restored) {
        this.settings = settings;
        this.statusFile = statusFile;
        this.uploadDirectory = uploadDirectory;
        this.lastBackup = restored.backup().orElse(null);
        this.lastRestore = restored.restore().orElse(null);
    }

    /** Starts a new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a backup of all parts into the store.
     *
     * @throws OperationInProgressException when another operation runs
     * @throws OperationLockException       when the operation lock cannot be checked
     * @throws IllegalStateException        when the engine is closed
     */
    public Operation startBackup() {
        RunningOperation op = begin(RunningOperation.Kind.BACKUP);
        return launch(op, () -> new BackupProcedure(settings, op).run(), () -> { });
    }

    /**
     * Starts a restore from an archive: verifies the whole archive and asks the version policy before any part
     * prepares; a refusal or a damaged archive changes nothing.
     *
     * @throws OperationInProgressException when another operation runs (the source is then not deleted: the caller
     *                                      keeps it)
     * @throws OperationLockException       when the operation lock cannot be checked (the source is not deleted)
     * @throws IllegalStateException        when the engine is closed (the source is not deleted)
     */
    public Operation startRestore(RestoreSource source) {
        Objects.requireNonNull(source, "source");
        RunningOperation op = begin(RunningOperation.Kind.RESTORE);
        return launch(op, () -> new RestoreProcedure(settings, op, source).run(), () -> {
            if (source.deleteWhenDone()) {
                try {
                    Files.deleteIfExists(source.file());
                } catch (IOException e) {
                    LOG.warn("{} - could not delete the uploaded archive: {}", op.id, e.toString());
                }
            }
        });
    }

    /** The current status; cheap, never blocks on a running operation. */
    public MaintenanceStatus status() {
        synchronized (stateLock) {
            RunningOperation c = current;
            return new MaintenanceStatus(c != null, Optional.ofNullable(lastBackup), Optional.ofNullable(lastRestore),
                    c == null ? Optional.empty() : Optional.of(c.progress()));
        }
    }

    /**
     * The newest complete backup in the store, if any. Never a backup still being written.
     *
     * @throws BackupStoreException when the store cannot be read
     */
    public Optional<BackupStore.StoredBackup> latestBackup() {
        try {
            return settings.store().latest();
        } catch (IOException e) {
            throw new BackupStoreException("The backup store cannot be read ("
                    + OperationFailure.describe(e, settings.workDirectory()) + "); check the backup directory.", e);
        }
    }

    /**
     * Verifies an archive completely — both passes of a restore, with nothing receiving the entries: signature,
     * manifest, the compressed data's SHA-256, then every entry's name, type, size, link target and (chunks excepted)
     * SHA-256, nothing after the end — and checks it against the version policy, without changing anything. May take as long as reading the whole file;
     * runs on the calling thread and does not take the operation lock.
     *
     * @throws ArchiveVerificationException when the archive is damaged, tampered with or not acceptably signed (also
     *                                      when the calling thread is interrupted; its flag is then set again)
     * @throws IncompatibleBackupException  when the backup was made by another product or the version policy refuses it
     */
    public BackupDescription verify(Path archive) {
        Objects.requireNonNull(archive, "archive");
        try {
            return RestoreProcedure.verifyAndCheck(settings, archive, null).description();
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            throw new ArchiveVerificationException("The verification was interrupted; nothing was checked.", e);
        } catch (IOException e) {
            throw new ArchiveVerificationException("The archive could not be read ("
                    + OperationFailure.describe(e, settings.workDirectory()) + ").", e);
        }
    }

    /**
     * A directory on the same file system as the work directory where an adapter may store uploads before handing
     * them to {@link #startRestore} with {@link RestoreSource#takingOwnership}. Files left in it are deleted when an
     * engine is built.
     */
    public Path uploadDirectory() {
        return uploadDirectory;
    }

    /** The store the engine writes backups to. */
    public BackupStore store() {
        return settings.store();
    }

    /**
     * Stops accepting operations, interrupts a running one and waits (up to the shutdown timeout) for it to end; it
     * then ends as failed with {@link ErrorCode#INTERRUPTED}, unless a restore was already committing its parts (that
     * is finished first). Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        RunningOperation c;
        synchronized (stateLock) {
            c = current;
        }
        if (c == null) {
            return;
        }
        c.interruptRequested = true;
        Thread t = c.thread;
        if (t != null) {
            t.interrupt();
        }
        try {
            c.completion.get(settings.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("{} - still running {} after close(); it will be reported as interrupted after a restart",
                    c.id, settings.shutdownTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // completion never completes exceptionally; nothing to wait for
        }
    }

    private RunningOperation begin(RunningOperation.Kind kind) {
        if (closed) {
            throw new IllegalStateException("the maintenance engine is closed");
        }
        if (!busy.compareAndSet(false, true)) {
            throw inProgress();
        }
        try {
            Instant start;
            synchronized (stateLock) {
                long millis = Math.max(settings.clock().millis(), lastIdMillis + 1);
                lastIdMillis = millis;
                start = Instant.ofEpochMilli(millis);
            }
            String id = settings.productVersion() + "_" + ID_TIME.format(start);
            Optional<OperationLock.Lease> lease;
            try {
                lease = settings.lock().tryAcquire(id);
            } catch (IOException | RuntimeException e) {
                throw new OperationLockException("Could not check whether another backup or restore is running ("
                        + OperationFailure.describe(e, settings.workDirectory()) + "); nothing was started. Try "
                        + "again when the lock's backend (e.g. the database) is reachable.", e);
            }
            if (lease.isEmpty()) {
                throw inProgress();
            }
            RunningOperation op = new RunningOperation(kind, id, start, lease.get());
            synchronized (stateLock) {
                current = op;
                OperationStatus running = new OperationStatus(false, id, "Running", start, Optional.empty(),
                        Optional.empty(), Optional.empty());
                if (kind == RunningOperation.Kind.BACKUP) {
                    lastBackup = running;
                } else {
                    lastRestore = running;
                }
            }
            persist();
            return op;
        } catch (RuntimeException e) {
            busy.set(false);
            throw e;
        }
    }

    private OperationInProgressException inProgress() {
        RunningOperation c;
        synchronized (stateLock) {
            c = current;
        }
        return new OperationInProgressException(c != null
                ? "A " + c.kind.label + " (" + c.id + ") is running; wait until it ends, then try again."
                : "Another backup or restore is running; wait until it ends, then try again.");
    }

    private Operation launch(RunningOperation op, Runnable procedure, Runnable onRejected) {
        Runnable task = () -> run(op, procedure, onRejected);
        try {
            if (settings.executor() == null) {
                DaemonThreads.start("keepsake-" + op.kind.label + "-" + THREADS.incrementAndGet(), task);
            } else {
                settings.executor().execute(task);
            }
        } catch (RejectedExecutionException | OutOfMemoryError e) {
            onRejected.run();
            finish(op, new OperationFailure(ErrorCode.INTERRUPTED, "The " + op.kind.label + " could not be started"
                    + " (the executor refused it; is the service shutting down?). Try again.", e));
        }
        return new Operation(op.id, op.completion.copy()); // callers cannot complete the engine's own future
    }

    private void run(RunningOperation op, Runnable procedure, Runnable onNotRun) {
        op.thread = Thread.currentThread();
        OperationFailure failure = null;
        try {
            if (closed) {
                onNotRun.run();
                throw new OperationFailure(ErrorCode.INTERRUPTED, "The " + op.kind.label + " was interrupted before it"
                        + " began (the service is shutting down). Start it again.", null);
            }
            procedure.run();
        } catch (OperationFailure f) {
            failure = f;
        } catch (Throwable t) {
            LOG.error("{} - unexpected failure of the {}", op.id, op.kind.label, t);
            failure = new OperationFailure(OperationFailure.isInterruption(t) ? ErrorCode.INTERRUPTED
                    : ErrorCode.PART_FAILED, "The " + op.kind.label + " failed unexpectedly ("
                    + OperationFailure.describe(t, settings.workDirectory()) + "); see the service log.", t);
        } finally {
            op.thread = null;
            if (op.interruptRequested) {
                Thread.interrupted(); // the interrupt was ours; do not leak it into the executor's thread
            }
        }
        finish(op, failure);
    }

    private void finish(RunningOperation op, OperationFailure failure) {
        Instant end = Instant.ofEpochMilli(settings.clock().millis()); // millisecond precision, like the ids
        OperationStatus status = failure == null
                ? new OperationStatus(true, op.id, "OK", op.startedAt, Optional.of(end), Optional.empty(),
                Optional.empty())
                : new OperationStatus(false, op.id, failure.getMessage(), op.startedAt, Optional.of(end),
                Optional.of(failure.code), failure.lastVersionThatCanRestore);
        if (failure != null) {
            LOG.info("{} - {} failed: {}", op.id, op.kind.label, failure.getMessage());
        }
        synchronized (stateLock) {
            if (op.kind == RunningOperation.Kind.BACKUP) {
                lastBackup = status;
            } else {
                lastRestore = status;
            }
            current = null;
        }
        persist();
        try {
            op.lease.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("{} - could not release the operation lock: {}", op.id, e.toString());
        }
        busy.set(false);
        op.completion.complete(status);
    }

    /**
     * Writes the current status to the status file, outside {@code stateLock} so {@link #status()} never waits for
     * an fsync; a snapshot older than one already written is skipped.
     */
    private void persist() {
        long version;
        StatusFile.Snapshot snapshot;
        synchronized (stateLock) {
            version = ++stateVersion;
            snapshot = new StatusFile.Snapshot(Optional.ofNullable(lastBackup), Optional.ofNullable(lastRestore));
        }
        synchronized (persistLock) {
            if (version <= persistedVersion) {
                return;
            }
            try {
                statusFile.write(snapshot);
                persistedVersion = version;
            } catch (IOException e) {
                LOG.warn("could not persist the status in the work directory: {}", e.toString());
            }
        }
    }

    /** Marks operations a crash left running as interrupted. */
    private static StatusFile.Snapshot recover(StatusFile file, Clock clock) {
        StatusFile.Snapshot s;
        try {
            s = file.read();
        } catch (IOException e) {
            LOG.warn("ignoring an unreadable status file: {}", e.toString());
            return new StatusFile.Snapshot(Optional.empty(), Optional.empty());
        }
        Optional<OperationStatus> backup = s.backup().map(o -> interruptedIfRunning(o, "backup", clock));
        Optional<OperationStatus> restore = s.restore().map(o -> interruptedIfRunning(o, "restore", clock));
        StatusFile.Snapshot fixed = new StatusFile.Snapshot(backup, restore);
        if (!fixed.equals(s)) {
            try {
                file.write(fixed);
            } catch (IOException e) {
                LOG.warn("could not persist the status in the work directory: {}", e.toString());
            }
        }
        return fixed;
    }

    private static OperationStatus interruptedIfRunning(OperationStatus o, String what, Clock clock) {
        if (o.endDate().isPresent()) {
            return o;
        }
        String fix = what.equals("backup") ? "the previous backup is still the one served; start the backup again."
                : "check the application's data, then start the restore again.";
        return new OperationStatus(false, o.id(), "The " + what + " was interrupted: the service stopped while it "
                + "ran; " + fix, o.startDate(), Optional.of(Instant.ofEpochMilli(clock.millis())), Optional.of(ErrorCode.INTERRUPTED),
                Optional.empty());
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
        long maxManifestBytes = DEFAULT_MAX_MANIFEST_BYTES;
        long maxUncompressedBytes = DEFAULT_MAX_UNCOMPRESSED_BYTES;
        Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        BackupVerification backupVerification = BackupVerification.STORED_BYTES;

        Builder() {
        }

        /**
         * The product's name and version, recorded in every backup and used by the version policy. The version is
         * required; the name defaults to {@code keepsake}.
         */
        public Builder product(String name, Version version) {
            this.productName = name;
            this.productVersion = version;
            return this;
        }

        /**
         * Adds a part that both backs up and restores (e.g. the PostgreSQL part). Parts are written in the order added
         * and commit in that order, except that parts able to undo their commit go first (see
         * {@link dev.keepsake.core.spi.PreparedRestore#canUndoCommit()}).
         */
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
         * Directory for the status file ({@code status.json}), uploads ({@code uploads/}, see
         * {@link MaintenanceEngine#uploadDirectory()}) and, unless {@link #store} is set, the backups
         * ({@code backups/}). Created if missing. Required. Must be on a file system with room for the largest backup
         * (twice, while a new one is written) and must not be shared by two engines running at the same time.
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

        /** The key that signs new backups; it also verifies. Default: none (backups are written unsigned). */
        public Builder signingKey(ArchiveKey key) {
            this.signingKey = key;
            return this;
        }

        /** Further keys accepted when verifying (older keys during a rotation). Default: none. May be called again. */
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

        /**
         * Where operations run. Default: a new daemon thread per operation, named {@code keepsake-backup-<n>} or
         * {@code keepsake-restore-<n>}. A supplied executor must run each task on a thread that may be interrupted by
         * {@link MaintenanceEngine#close()}.
         */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        /** Archive compression. Default {@link ArchiveFormat#GZIP}. */
        public Builder format(ArchiveFormat format) {
            this.format = format;
            return this;
        }

        /**
         * Compression level: 1–9 for gzip, 1–19 for zstd. Default 1 (fast): for gzip, Keepsake's own greedy deflate
         * encoder, about twice as fast as zlib's level 1 for output of the same size; 2–9 use zlib.
         */
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
         * The largest {@code manifest.json} a restore accepts (it is read into memory). 1 KiB to 1 GiB; default
         * {@value MaintenanceEngine#DEFAULT_MAX_MANIFEST_BYTES} bytes (64 MiB, roughly 250,000 entries).
         */
        public Builder maxManifestBytes(long bytes) {
            this.maxManifestBytes = bytes;
            return this;
        }

        /**
         * The most bytes an archive may decompress to before a restore or verification refuses it (guards against
         * decompression bombs). At least 1 MiB; default {@value MaintenanceEngine#DEFAULT_MAX_UNCOMPRESSED_BYTES}
         * bytes (1 TiB).
         */
        public Builder maxUncompressedBytes(long bytes) {
            this.maxUncompressedBytes = bytes;
            return this;
        }

        /**
         * How a new backup is checked before it becomes visible, when the store writes to a local file (the default
         * store does). Default {@link BackupVerification#STORED_BYTES}: the file is read back and compared with the
         * bytes written; {@link BackupVerification#FULL} also decompresses and verifies every entry.
         */
        public Builder backupVerification(BackupVerification verification) {
            this.backupVerification = verification;
            return this;
        }

        /** How long {@link MaintenanceEngine#close()} waits for a running operation to stop. Default 30 s. */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = timeout;
            return this;
        }

        /**
         * Validates and builds; creates the work directory, sweeps stale temp files and marks an operation left
         * running by a crash as interrupted.
         *
         * @throws InvalidConfigurationException listing every problem
         */
        public MaintenanceEngine build() {
            List<String> problems = new ArrayList<>();
            if (productName == null || productName.isBlank() || productName.length() > 200) {
                problems.add("the product name is required and must be at most 200 characters (product(name, version))");
            }
            if (productVersion == null) {
                problems.add("the product version is required (product(name, version))");
            }
            checkParts(problems);
            if (workDirectory == null) {
                problems.add("the work directory is required (workDirectory(Path))");
            }
            if (retainBackups < 1) {
                problems.add("retainBackups must be at least 1 but is " + retainBackups);
            } else if (store != null && retainBackups != 1) {
                problems.add("retainBackups applies only to the default store; configure retention on the store "
                        + "given to store(...)");
            }
            if (backupVerification == null) {
                problems.add("backupVerification must not be null (use BackupVerification.NONE to skip the check)");
            }
            if (format == null) {
                problems.add("the archive format must not be null");
            } else {
                int[] levels = Compression.levels(format);
                if (compressionLevel < levels[0] || compressionLevel > levels[1]) {
                    problems.add("compression level " + compressionLevel + " is out of range for " + format + ": use "
                            + levels[0] + "-" + levels[1]);
                }
                if (format == ArchiveFormat.ZSTD && !Compression.zstdAvailable()) {
                    problems.add("format ZSTD needs com.github.luben:zstd-jni on the class path; add it or use GZIP");
                }
            }
            List<ArchiveKey> keys = new ArrayList<>();
            if (signingKey != null) {
                keys.add(signingKey);
            }
            keys.addAll(verificationKeys);
            Map<String, ArchiveKey> byId = new HashMap<>();
            for (ArchiveKey k : keys) {
                if (k == null) {
                    problems.add("verification keys must not be null");
                    continue;
                }
                ArchiveKey other = byId.putIfAbsent(k.id(), k);
                if (other != null && !other.equals(k)) {
                    problems.add("two different archive keys have the id '" + k.id() + "'; key ids must be unique");
                }
            }
            if (compatibility == null) {
                problems.add("the version policy must not be null");
            }
            if (hooks == null) {
                problems.add("the hooks must not be null (use MaintenanceHooks.NONE)");
            }
            if (clock == null) {
                problems.add("the clock must not be null");
            }
            if (maxManifestBytes < 1024 || maxManifestBytes > (1L << 30)) {
                problems.add("maxManifestBytes must be between 1024 and " + (1L << 30) + " but is " + maxManifestBytes);
            }
            if (maxUncompressedBytes < (1L << 20)) {
                problems.add("maxUncompressedBytes must be at least " + (1L << 20) + " but is " + maxUncompressedBytes);
            }
            if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
                problems.add("the shutdown timeout must be zero or positive");
            }
            if (!problems.isEmpty()) {
                throw new InvalidConfigurationException("Invalid maintenance engine configuration: "
                        + String.join("; ", problems) + ".");
            }
            Path work = workDirectory.toAbsolutePath();
            Path uploads = work.resolve("uploads");
            BackupStore effectiveStore = store;
            try {
                OwnerOnly.createDirectories(work);
                OwnerOnly.createDirectories(uploads);
                try (DirectoryStream<Path> stale = Files.newDirectoryStream(uploads)) {
                    for (Path p : stale) {
                        if (Files.isRegularFile(p)) {
                            Files.deleteIfExists(p);
                        }
                    }
                }
                if (effectiveStore == null) {
                    effectiveStore = FileSystemBackupStore.builder().directory(work.resolve("backups"))
                            .retain(retainBackups).format(format).build();
                }
            } catch (IOException | UncheckedIOException e) {
                throw new InvalidConfigurationException("Invalid maintenance engine configuration: the work directory "
                        + workDirectory + " cannot be prepared (" + e.getMessage() + "); check that it is writable.");
            }
            ArchiveVerifier verifier = new ArchiveVerifier(keys, allowUnsignedArchives, maxManifestBytes,
                    maxUncompressedBytes);
            EngineSettings settings = new EngineSettings(productName, productVersion, backupJobs, restoreJobs, work,
                    effectiveStore, lock != null ? lock : new InProcessOperationLock(), executor, signingKey, verifier,
                    compatibility, hooks, format, compressionLevel, clock, shutdownTimeout, backupVerification,
                    new ArchiveVerifier(signingKey == null ? List.of() : List.of(signingKey), true, maxManifestBytes,
                            maxUncompressedBytes));
            StatusFile statusFile = new StatusFile(work.resolve("status.json"));
            return new MaintenanceEngine(settings, statusFile, uploads, recover(statusFile, clock));
        }

        private void checkParts(List<String> problems) {
            if (backupJobs.isEmpty() && restoreJobs.isEmpty()) {
                problems.add("at least one part is required (part(...))");
            }
            Set<String> backups = names(backupJobs.stream().map(j -> j == null ? null : j.name()).toList(), "backup",
                    problems);
            Set<String> restores = names(restoreJobs.stream().map(j -> j == null ? null : j.name()).toList(),
                    "restore", problems);
            for (String b : backups) {
                if (!restores.contains(b)) {
                    problems.add("part '" + b + "' has a backup job but no restore job of the same name");
                }
            }
            for (String r : restores) {
                if (!backups.contains(r)) {
                    problems.add("part '" + r + "' has a restore job but no backup job of the same name");
                }
            }
            for (BackupJob j : backupJobs) {
                if (j != null && (j.type() == null || j.type().isBlank() || j.type().length() > 100)) {
                    problems.add("part '" + j.name() + "' has no type (1-100 characters)");
                }
            }
        }

        private static Set<String> names(List<String> names, String what, List<String> problems) {
            Set<String> seen = new HashSet<>();
            for (String n : names) {
                if (n == null) {
                    problems.add("a " + what + " job is null or has no name");
                } else if (!ArchiveLayout.isValidPartName(n)) {
                    problems.add("part name '" + n + "' is invalid: use 1-100 of [A-Za-z0-9._:-]");
                } else if (!seen.add(n)) {
                    problems.add("part name '" + n + "' is used by two " + what + " jobs; part names must be unique");
                }
            }
            return seen;
        }
    }
}
