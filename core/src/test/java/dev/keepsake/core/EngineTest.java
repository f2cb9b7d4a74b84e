package dev.keepsake.core;

import dev.keepsake.core.spi.BackupJob;
import dev.keepsake.core.spi.BackupStore;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartReader;
import dev.keepsake.core.spi.PartWriter;
import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.core.spi.RestoreJob;
import dev.keepsake.testfixtures.DirectoryPart;
import dev.keepsake.testfixtures.StreamPart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EngineTest {

    @TempDir
    Path tmp;

    private static List<String> storeFiles(Path work) throws IOException {
        try (Stream<Path> s = Files.list(work.resolve("backups"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Hooks whose before-backup blocks until released. */
    static final class BlockingHooks implements MaintenanceHooks {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public boolean beforeBackup(String operationId) throws Exception {
            entered.countDown();
            if (!release.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
            return true;
        }
    }

    @Test
    void failingBeforeBackupHookFailsCleanlyAndThePreviousBackupIsStillServed() throws Exception {
        Fixture f = new Fixture(tmp);
        AtomicBoolean fail = new AtomicBoolean();
        AtomicInteger afterCalls = new AtomicInteger();
        MaintenanceHooks hooks = new MaintenanceHooks() {
            @Override
            public boolean beforeBackup(String id) {
                if (fail.get()) {
                    throw new IllegalStateException("maintenance mode unavailable");
                }
                return true;
            }

            @Override
            public void afterBackup(String id, boolean ok) {
                afterCalls.incrementAndGet();
            }
        };
        try (MaintenanceEngine engine = f.builder().hooks(hooks).build()) {
            f.backup(engine, "first.tgz");
            BackupStore.StoredBackup first = engine.latestBackup().orElseThrow();
            List<String> filesBefore = storeFiles(f.work);
            fail.set(true);

            OperationStatus s = Fixture.await(engine.startBackup());

            assertThat(s.succeeded()).isFalse();
            assertThat(s.errorCode()).contains(ErrorCode.HOOK_FAILED);
            assertThat(s.statusMessage()).isEqualTo("Backup failed: the before-backup hook failed (maintenance mode "
                    + "unavailable); nothing was written and the previous backup is still the one served. Fix the "
                    + "hook's problem and start the backup again.");
            assertThat(engine.latestBackup().orElseThrow().id()).isEqualTo(first.id());
            assertThat(storeFiles(f.work)).isEqualTo(filesBefore);
            assertThat(afterCalls).hasValue(1); // only for the first backup: its before-hook succeeded
        }
    }

    @Test
    void failureInTheMiddleOfABackupLeavesThePreviousBackupIntactAndServed() throws Exception {
        Fixture f = new Fixture(tmp);
        List<Boolean> afterBackup = new java.util.concurrent.CopyOnWriteArrayList<>();
        MaintenanceHooks hooks = new MaintenanceHooks() {
            @Override
            public void afterBackup(String id, boolean succeeded) {
                afterBackup.add(succeeded);
            }
        };
        try (MaintenanceEngine engine = f.builder().hooks(hooks).build()) {
            f.backup(engine, "first.tgz");
            BackupStore.StoredBackup first = engine.latestBackup().orElseThrow();
            List<String> filesBefore = storeFiles(f.work);
            f.files.failWrite("disk on fire");

            OperationStatus s = Fixture.await(engine.startBackup());

            assertThat(s.succeeded()).isFalse();
            assertThat(s.errorCode()).contains(ErrorCode.PART_FAILED);
            assertThat(s.statusMessage()).isEqualTo("Backup failed in part 'files' (disk on fire); the previous "
                    + "backup is still the one served. Fix the problem and start the backup again.");
            BackupStore.StoredBackup served = engine.latestBackup().orElseThrow();
            assertThat(served.id()).isEqualTo(first.id());
            assertThat(served.open(0).readAllBytes()).isEqualTo(Files.readAllBytes(f.root.resolve("first.tgz")));
            assertThat(storeFiles(f.work)).isEqualTo(filesBefore).noneMatch(n -> n.startsWith(".tmp-"));
            assertThat(afterBackup).containsExactly(true, false); // the after-hook runs whatever the outcome
        }
    }

    /** A store whose disk flips one bit of what is written, like failing hardware. */
    static final class CorruptingStore implements BackupStore {
        final FileSystemBackupStore delegate;

        CorruptingStore(Path dir) {
            this.delegate = FileSystemBackupStore.builder().directory(dir).build();
        }

        @Override
        public PendingBackup begin(String backupId) throws IOException {
            PendingBackup p = delegate.begin(backupId);
            java.io.OutputStream flipping = new java.io.FilterOutputStream(p.output()) {
                long written;

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    byte[] copy = java.util.Arrays.copyOfRange(b, off, off + len);
                    if (written <= 20_000 && written + len > 20_000) {
                        copy[(int) (20_000 - written)] ^= 0x04;
                    }
                    written += len;
                    out.write(copy, 0, len);
                }
            };
            return new PendingBackup() {
                @Override
                public java.io.OutputStream output() {
                    return flipping;
                }

                @Override
                public Optional<Path> localFile() {
                    return p.localFile();
                }

                @Override
                public StoredBackup commit(long size, String sha256) throws IOException {
                    return p.commit(size, sha256);
                }

                @Override
                public void abort() throws IOException {
                    p.abort();
                }
            };
        }

        @Override
        public List<StoredBackup> list() throws IOException {
            return delegate.list();
        }
    }

    @Test
    void aBackupCorruptedOnTheWayToDiskIsNeverPublished() throws Exception {
        Fixture f = new Fixture(tmp);
        Path dir = tmp.resolve("corrupting");
        try (MaintenanceEngine engine = f.builder().store(new CorruptingStore(dir)).build()) {
            OperationStatus s = Fixture.await(engine.startBackup());
            assertThat(s.succeeded()).isFalse();
            assertThat(s.errorCode()).contains(ErrorCode.STORE_FAILED);
            assertThat(s.statusMessage()).startsWith("Backup failed: the archive written to the store did not verify"
                    + " when read back (its SHA-256 is ").contains(" where the bytes written had ")
                    .endsWith("Check the disk of the backup directory, then start the backup again.");
            assertThat(engine.latestBackup()).isEmpty();
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files).isEmpty();
            }
        }
        try (MaintenanceEngine full = f.builder().workDirectory(tmp.resolve("w3"))
                .store(new CorruptingStore(tmp.resolve("corrupting3")))
                .backupVerification(BackupVerification.FULL).build()) {
            OperationStatus s = Fixture.await(full.startBackup());
            assertThat(s.succeeded()).isFalse();
            assertThat(s.statusMessage()).startsWith("Backup failed: the archive written to the store did not verify"
                    + " when read back (its SHA-256 is ");
            assertThat(full.latestBackup()).isEmpty();
        }
        try (MaintenanceEngine unverified = f.builder().workDirectory(tmp.resolve("w2"))
                .store(new CorruptingStore(tmp.resolve("corrupting2"))).backupVerification(BackupVerification.NONE)
                .build()) {
            // without read-back verification the damage is only found at restore time
            assertThat(Fixture.await(unverified.startBackup()).succeeded()).isTrue();
        }
    }

    @Test
    void failedPrepareAbortsThePartsAlreadyPreparedAndCommitsNothing() throws Exception {
        Fixture f = new Fixture(tmp);
        try (MaintenanceEngine engine = f.builder().build()) {
            Path archive = f.backup(engine, "a.tgz");
            Map<String, String> before = f.targets();
            f.files.failPrepare("no space left for staging");

            OperationStatus s = Fixture.await(engine.startRestore(RestoreSource.of(archive)));

            assertThat(s.succeeded()).isFalse();
            assertThat(s.errorCode()).contains(ErrorCode.PART_FAILED);
            assertThat(s.statusMessage()).isEqualTo("Restore failed while preparing part 'files' (no space left for"
                    + " staging); nothing was changed. Fix the problem and start the restore again.");
            assertThat(f.streams.prepares).hasValue(1);
            assertThat(f.streams.aborts).hasValue(1);
            assertThat(f.streams.commits).hasValue(0);
            assertThat(f.files.commits).hasValue(0);
            assertThat(f.targets()).isEqualTo(before);
        }
    }

    @Test
    void failedDatabaseCommitRollsBackThePartsThatCanUndoTheirCommit() throws Exception {
        Fixture f = new Fixture(tmp);
        f.files.undoableCommit(true); // registered after "db", but commits first because it can be undone
        try (MaintenanceEngine engine = f.builder().build()) {
            Path archive = f.backup(engine, "a.tgz");
            Map<String, String> before = f.targets();
            f.streams.failCommit("could not serialize access");

            OperationStatus s = Fixture.await(engine.startRestore(RestoreSource.of(archive)));

            assertThat(s.succeeded()).isFalse();
            assertThat(s.errorCode()).contains(ErrorCode.PART_FAILED);
            assertThat(s.statusMessage()).isEqualTo("Restore failed while committing part 'db' (could not serialize"
                    + " access). Nothing was changed (parts rolled back: files); fix the problem and start the restore"
                    + " again.");
            assertThat(f.files.commits).hasValue(1);
            assertThat(f.files.aborts).hasValue(1);
            assertThat(f.files.closes).hasValue(1);
            assertThat(f.streams.commits).hasValue(0);
            assertThat(f.targets()).isEqualTo(before);
        }
    }

    @Test
    void failedCommitAbortsTheRemainingPartsAndNamesTheCommittedOnes() throws Exception {
        Fixture f = new Fixture(tmp);
        try (MaintenanceEngine engine = f.builder().build()) {
            Path archive = f.backup(engine, "a.tgz");
            Map<String, String> filesBefore = Fixture.snapshot(f.filesTarget);
            f.files.failCommit("rename refused");

            OperationStatus s = Fixture.await(engine.startRestore(RestoreSource.of(archive)));

            assertThat(s.succeeded()).isFalse();
            assertThat(s.errorCode()).contains(ErrorCode.PART_FAILED);
            assertThat(s.statusMessage()).isEqualTo("Restore failed while committing part 'files' (rename refused). "
                    + "Parts already restored: db; parts left unchanged: files. The data may now be inconsistent: fix"
                    + " the problem and restore the backup again.");
            assertThat(f.streams.commits).hasValue(1);
            assertThat(f.files.aborts).hasValue(1);
            assertThat(f.files.closes).hasValue(1);
            assertThat(Fixture.snapshot(f.filesTarget)).isEqualTo(filesBefore);
            assertThat(f.streamsTarget.resolve("table-a")).hasBinaryContent(StreamPart.content("table-a"));
        }
    }

    @Test
    void ofTwentyRacingStartBackupCallsExactlyOneRuns() throws Exception {
        Fixture f = new Fixture(tmp);
        BlockingHooks hooks = new BlockingHooks();
        try (MaintenanceEngine engine = f.builder().hooks(hooks).build()) {
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            AtomicInteger started = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            AtomicReference<Operation> operation = new AtomicReference<>();
            for (int i = 0; i < 20; i++) {
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                        operation.set(engine.startBackup());
                        started.incrementAndGet();
                    } catch (OperationInProgressException e) {
                        refused.incrementAndGet();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                t.start();
                threads.add(t);
            }
            go.countDown();
            for (Thread t : threads) {
                t.join(60_000);
            }
            assertThat(started).hasValue(1);
            assertThat(refused).hasValue(19);

            // a restore is refused too, and the caller keeps its file
            Path upload = Files.writeString(tmp.resolve("upload.tgz"), "x");
            assertThatThrownBy(() -> engine.startRestore(RestoreSource.takingOwnership(upload)))
                    .isInstanceOf(OperationInProgressException.class)
                    .hasMessageContaining("A backup (" + operation.get().id() + ") is running");
            assertThat(upload).exists();

            hooks.release.countDown();
            assertThat(Fixture.await(operation.get()).succeeded()).isTrue();
            assertThat(Fixture.await(engine.startBackup()).succeeded()).isTrue(); // the lock was released
        }
    }

    @Test
    void statusShowsProgressWhileRunningAndIsPersistedAcrossRestarts() throws Exception {
        Fixture f = new Fixture(tmp);
        BlockingHooks hooks = new BlockingHooks();
        MaintenanceEngine engine = f.builder().hooks(hooks).build();
        try {
            Operation op = engine.startBackup();
            hooks.entered.await(60, TimeUnit.SECONDS);
            MaintenanceStatus running = engine.status();
            assertThat(running.running()).isTrue();
            assertThat(running.backup().orElseThrow().statusMessage()).isEqualTo("Running");
            assertThat(running.backup().orElseThrow().endDate()).isEmpty();
            assertThat(running.progress().orElseThrow().operation()).isEqualTo("backup");
            assertThat(running.progress().orElseThrow().phase()).isEqualTo("running before-backup hook");

            // the service "crashes" now: a new engine over the same work directory finds a backup marked running
            try (MaintenanceEngine restarted = f.builder().build()) {
                OperationStatus b = restarted.status().backup().orElseThrow();
                assertThat(restarted.status().running()).isFalse();
                assertThat(b.id()).isEqualTo(op.id());
                assertThat(b.succeeded()).isFalse();
                assertThat(b.errorCode()).contains(ErrorCode.INTERRUPTED);
                assertThat(b.statusMessage()).contains("interrupted").contains("start the backup again");
                assertThat(b.endDate()).isPresent();
            }
            hooks.release.countDown();
            OperationStatus done = Fixture.await(op);
            assertThat(done.succeeded()).isTrue();
        } finally {
            engine.close();
        }
        try (MaintenanceEngine restarted = f.builder().build()) {
            assertThat(restarted.status().backup().orElseThrow().statusMessage()).isEqualTo("OK");
            assertThat(restarted.status().backup().orElseThrow().succeeded()).isTrue();
            assertThat(restarted.status().restore()).isEmpty();
        }
    }

    @Test
    void closeInterruptsARunningBackupWhichThenReadsAsInterrupted() throws Exception {
        Fixture f = new Fixture(tmp);
        CountDownLatch writing = new CountDownLatch(1);
        BackupJob slow = new BackupJob() {
            @Override
            public String name() {
                return "slow";
            }

            @Override
            public String type() {
                return "test";
            }

            @Override
            public void write(PartWriter out, JobContext context) throws IOException {
                writing.countDown();
                try {
                    Thread.sleep(120_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("stopped");
                }
            }
        };
        RestoreJob slowRestore = new RestoreJob() {
            @Override
            public String name() {
                return "slow";
            }

            @Override
            public PreparedRestore prepare(PartReader in, JobContext context) {
                throw new UnsupportedOperationException();
            }
        };
        MaintenanceEngine engine = f.builder().part(slow, slowRestore).build();
        Operation op = engine.startBackup();
        writing.await(60, TimeUnit.SECONDS);
        engine.close();
        assertThat(engine.status().running()).isFalse(); // close() waited for the backup to end
        OperationStatus s = Fixture.await(op);
        assertThat(s.succeeded()).isFalse();
        assertThat(s.errorCode()).contains(ErrorCode.INTERRUPTED);
        assertThat(s.statusMessage()).startsWith("The backup was interrupted");
        assertThat(engine.latestBackup()).isEmpty();
        assertThat(storeFiles(f.work)).isEmpty();
        assertThatThrownBy(engine::startBackup).isInstanceOf(IllegalStateException.class);
        engine.close(); // idempotent
    }

    @Test
    void closeDuringARestoreAbortsThePreparedPartsAndCommitsNothing() throws Exception {
        Fixture f = new Fixture(tmp);
        Path archive;
        try (MaintenanceEngine engine = f.builder().build()) {
            archive = f.backup(engine, "a.tgz");
        }
        CountDownLatch preparing = new CountDownLatch(1);
        RestoreJob stuck = new RestoreJob() {
            @Override
            public String name() {
                return "files";
            }

            @Override
            public PreparedRestore prepare(PartReader in, JobContext context) throws IOException {
                preparing.countDown();
                try {
                    Thread.sleep(120_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("stopped while staging");
                }
                throw new IOException("not reached");
            }
        };
        Map<String, String> before = f.targets();
        MaintenanceEngine engine = MaintenanceEngine.builder().product("demo", Version.parse("1.4.2"))
                .workDirectory(f.work).signingKey(Fixture.KEY).part(f.streams).part(f.files, stuck).build();
        Operation op = engine.startRestore(RestoreSource.of(archive));
        preparing.await(60, TimeUnit.SECONDS);
        engine.close();
        OperationStatus s = Fixture.await(op);
        assertThat(s.errorCode()).contains(ErrorCode.INTERRUPTED);
        assertThat(s.statusMessage()).startsWith("The restore was interrupted");
        assertThat(f.streams.aborts).hasValue(1);
        assertThat(f.streams.commits).hasValue(0);
        assertThat(f.targets()).isEqualTo(before);
    }

    @Test
    void rotatedKeysVerifyOldBackupsWhileTheNewKeySigns() throws Exception {
        Fixture f = new Fixture(tmp);
        Path oldBackup;
        try (MaintenanceEngine old = f.builder().signingKey(Fixture.OLD_KEY).build()) {
            oldBackup = f.backup(old, "old.tgz");
        }
        try (MaintenanceEngine rotated = f.builder().signingKey(Fixture.KEY)
                .verificationKeys(List.of(Fixture.OLD_KEY)).build()) {
            assertThat(rotated.verify(oldBackup).signedWithKeyId()).contains("key-2023");
            Path newBackup = f.backup(rotated, "new.tgz");
            assertThat(rotated.verify(newBackup).signedWithKeyId()).contains("key-2024");
            assertThat(Fixture.await(rotated.startRestore(RestoreSource.of(oldBackup))).succeeded()).isTrue();
        }
        try (MaintenanceEngine newOnly = f.builder().signingKey(Fixture.KEY).build()) {
            assertThatThrownBy(() -> newOnly.verify(oldBackup))
                    .isInstanceOf(ArchiveVerificationException.class)
                    .hasMessage("The archive is signed with key id 'key-2023', which is not configured here "
                            + "(configured: key-2024); add that key to the verification keys to restore it.");
        }
    }

    @Test
    void unsignedBackupsAreRefusedUnlessExplicitlyAllowed() throws Exception {
        Fixture f = new Fixture(tmp);
        Path unsigned;
        try (MaintenanceEngine noKey = f.builder().signingKey(null).build()) {
            unsigned = f.backup(noKey, "unsigned.tgz");
            OperationStatus s = Fixture.await(noKey.startRestore(RestoreSource.of(unsigned)));
            assertThat(s.succeeded()).isFalse();
            assertThat(s.statusMessage()).isEqualTo("Restore refused: the archive is not signed and unsigned archives"
                    + " are not allowed; configure the signing key that made it, or allow unsigned archives. Nothing "
                    + "was changed.");
        }
        try (MaintenanceEngine allowing = f.builder().signingKey(null).allowUnsignedArchives(true).build()) {
            assertThat(allowing.verify(unsigned).signedWithKeyId()).isEmpty();
            OperationStatus s = Fixture.await(allowing.startRestore(RestoreSource.of(unsigned)));
            assertThat(s.succeeded()).as(s.statusMessage()).isTrue();
            assertThat(Fixture.snapshot(f.filesTarget)).isEqualTo(Fixture.snapshot(f.source));
        }
    }

    @Test
    void restoreRefusesAnArchiveWhosePartsDoNotMatchTheRegisteredParts() throws Exception {
        Fixture f = new Fixture(tmp);
        Path archive;
        try (MaintenanceEngine engine = f.builder().build()) {
            archive = f.backup(engine, "a.tgz");
        }
        Map<String, String> before = f.targets();
        try (MaintenanceEngine filesOnly = MaintenanceEngine.builder().product("demo", Version.parse("1.4.2"))
                .workDirectory(tmp.resolve("work2")).signingKey(Fixture.KEY).part(f.files)
                .part(new DirectoryPart("uploads", f.source, tmp.resolve("uploads"))).build()) {
            OperationStatus s = Fixture.await(filesOnly.startRestore(RestoreSource.of(archive)));
            assertThat(s.succeeded()).isFalse();
            assertThat(s.errorCode()).contains(ErrorCode.ARCHIVE_INVALID);
            assertThat(s.statusMessage()).isEqualTo("Restore refused: the archive's parts do not match this service's"
                    + " parts; the archive has part(s) this service does not restore: db; the archive lacks part(s) "
                    + "this service needs: uploads. Restore a backup made by this service. Nothing was changed.");
        }
        assertThat(f.targets()).isEqualTo(before);
        assertThat(f.files.prepares).hasValue(0);
    }

    @Test
    void archiveChangedBetweenVerificationAndPreparationIsCaughtWhileReadingAndNothingChanges() throws Exception {
        Fixture f = new Fixture(tmp);
        Map<String, String> before = f.targets();

        OperationStatus s = restoreSwappedAfterVerification(f, "parts/files/sub/b.bin"::equals, 10);

        assertThat(s.succeeded()).isFalse();
        assertThat(s.errorCode()).contains(ErrorCode.PART_FAILED);
        assertThat(s.statusMessage()).startsWith("Restore failed while preparing part 'files' (the archive file "
                + "changed after it was verified (the content of entry 'parts/files/sub/b.bin' differs)");
        assertThat(f.targets()).isEqualTo(before);
        assertThat(f.streams.aborts).hasValue(1);
    }

    @Test
    void chunkChangedBetweenVerificationAndPreparationFailsTheRestoreBeforeAnyPartCommits() throws Exception {
        // chunks have no hash of their own: the data's SHA-256 is checked again after the last part read
        Fixture f = new Fixture(tmp);
        Map<String, String> before = f.targets();

        OperationStatus s = restoreSwappedAfterVerification(f, "parts/db/table-a.chunk-000000"::equals, 0);

        assertThat(s.succeeded()).isFalse();
        assertThat(s.errorCode()).contains(ErrorCode.PART_FAILED);
        assertThat(s.statusMessage()).startsWith("Restore failed while reading the archive again (the archive "
                + "file changed after it was verified (its data differs)");
        assertThat(f.targets()).isEqualTo(before);
        assertThat(f.files.commits.get() + f.streams.commits.get()).isZero();
        assertThat(f.files.aborts).hasValue(1);
        assertThat(f.streams.aborts).hasValue(1);
    }

    /**
     * Backs up, flips one bit at {@code offset} of the first entry {@code which} accepts, and restores the good
     * archive while a hook puts the changed one in its place after verification (before the parts read it).
     */
    private OperationStatus restoreSwappedAfterVerification(Fixture f, java.util.function.Predicate<String> which,
                                                            int offset) throws Exception {
        Path archive;
        try (MaintenanceEngine engine = f.builder().build()) {
            archive = f.backup(engine, "a.tgz");
        }
        List<TarSurgery.Item> items = new ArrayList<>(TarSurgery.read(archive));
        int i = 0;
        while (!which.test(items.get(i).name())) {
            i++;
        }
        byte[] changed = items.get(i).content().clone();
        changed[offset] ^= 1;
        items.set(i, items.get(i).withContent(changed));
        Path tampered = tmp.resolve("tampered.tgz");
        TarSurgery.write(items, tampered, ArchiveFormat.GZIP);
        MaintenanceHooks swapAfterVerification = new MaintenanceHooks() {
            @Override
            public void beforeRestore(String id, BackupDescription backup) throws Exception {
                Files.copy(tampered, archive, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        };
        try (MaintenanceEngine engine = f.builder().hooks(swapAfterVerification).build()) {
            return Fixture.await(engine.startRestore(RestoreSource.of(archive)));
        }
    }

    @Test
    void hooksSeeTheRestoreOutcome() throws Exception {
        Fixture f = new Fixture(tmp);
        List<String> calls = new ArrayList<>();
        MaintenanceHooks hooks = new MaintenanceHooks() {
            @Override
            public void beforeRestore(String id, BackupDescription backup) {
                calls.add("before " + backup.productVersion());
            }

            @Override
            public void afterRestore(String id, BackupDescription backup, boolean succeeded) {
                calls.add("after " + succeeded);
            }
        };
        try (MaintenanceEngine engine = f.builder().hooks(hooks).build()) {
            Path archive = f.backup(engine, "a.tgz");
            assertThat(Fixture.await(engine.startRestore(RestoreSource.of(archive))).succeeded()).isTrue();
            f.files.failPrepare("broken");
            assertThat(Fixture.await(engine.startRestore(RestoreSource.of(archive))).succeeded()).isFalse();
            f.files.failPrepare(null);
            Files.write(archive, new byte[] {1, 2, 3});
            assertThat(Fixture.await(engine.startRestore(RestoreSource.of(archive))).succeeded()).isFalse();
        }
        // the damaged archive never reached the before-hook, so no after-hook either
        assertThat(calls).containsExactly("before 1.4.2", "after true", "before 1.4.2", "after false");
    }

    @Test
    void failingBeforeRestoreHookChangesNothing() throws Exception {
        Fixture f = new Fixture(tmp);
        MaintenanceHooks hooks = new MaintenanceHooks() {
            @Override
            public void beforeRestore(String id, BackupDescription backup) {
                throw new IllegalStateException("sessions cannot be evicted");
            }
        };
        try (MaintenanceEngine engine = f.builder().hooks(hooks).build()) {
            Path archive = f.backup(engine, "a.tgz");
            Map<String, String> before = f.targets();
            OperationStatus s = Fixture.await(engine.startRestore(RestoreSource.takingOwnership(archive)));
            assertThat(s.errorCode()).contains(ErrorCode.HOOK_FAILED);
            assertThat(s.statusMessage()).isEqualTo("Restore failed: the before-restore hook failed (sessions cannot "
                    + "be evicted); nothing was changed. Fix the hook's problem and start the restore again.");
            assertThat(f.targets()).isEqualTo(before);
            assertThat(archive).doesNotExist(); // owned by the engine: deleted on every outcome
        }
    }

    @Test
    void restoreProgressCountsContentBytesAgainstTheManifestTotal() throws Exception {
        Fixture f = new Fixture(tmp);
        AtomicReference<MaintenanceEngine> engineRef = new AtomicReference<>();
        List<Progress> seen = new ArrayList<>();
        RestoreJob observing = new RestoreJob() {
            @Override
            public String name() {
                return "files";
            }

            @Override
            public PreparedRestore prepare(PartReader in, JobContext context) throws IOException {
                seen.add(engineRef.get().status().progress().orElseThrow());
                return f.files.prepare(in, context);
            }
        };
        try (MaintenanceEngine engine = MaintenanceEngine.builder().product("demo", Version.parse("1.4.2"))
                .workDirectory(f.work).signingKey(Fixture.KEY).part(f.streams).part(f.files, observing).build()) {
            engineRef.set(engine);
            Path archive = f.backup(engine, "a.tgz");
            BackupDescription d = engine.verify(archive);
            assertThat(Fixture.await(engine.startRestore(RestoreSource.of(archive))).succeeded()).isTrue();
            Progress p = seen.get(0);
            assertThat(p.operation()).isEqualTo("restore");
            assertThat(p.phase()).isEqualTo("preparing");
            assertThat(p.currentPart()).isEqualTo("files");
            assertThat(p.bytesExpected()).hasValue(d.totalBytes());
            // the db part, restored first, has been read completely
            assertThat(p.bytesDone()).isEqualTo(d.part("db").orElseThrow().totalBytes());
        }
    }

    @Test
    void builderListsEveryProblemAtOnce() {
        BackupJob lonely = new DirectoryPart("lonely", tmp, tmp);
        assertThatThrownBy(() -> MaintenanceEngine.builder()
                .part(new DirectoryPart("dup", tmp, tmp))
                .part(new DirectoryPart("dup", tmp, tmp))
                .part(new DirectoryPart("bad/name", tmp, tmp))
                .part(lonely, new DirectoryPart("other", tmp, tmp))
                .compressionLevel(12)
                .retainBackups(0)
                .build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("the product version is required")
                .hasMessageContaining("part name 'dup' is used by two backup jobs")
                .hasMessageContaining("part name 'bad/name' is invalid")
                .hasMessageContaining("part 'lonely' has a backup job but no restore job of the same name")
                .hasMessageContaining("part 'other' has a restore job but no backup job of the same name")
                .hasMessageContaining("the work directory is required")
                .hasMessageContaining("retainBackups must be at least 1 but is 0")
                .hasMessageContaining("compression level 12 is out of range for GZIP: use 1-9");
    }
}
