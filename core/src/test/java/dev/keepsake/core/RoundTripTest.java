package dev.keepsake.core;

import dev.keepsake.core.internal.engine.OperationFailure;
import dev.keepsake.core.spi.BackupJob;
import dev.keepsake.core.spi.BackupStore;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartReader;
import dev.keepsake.core.spi.PartWriter;
import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.core.spi.RestoreJob;
import dev.keepsake.testfixtures.StreamPart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoundTripTest {

    @TempDir
    Path tmp;

    @Test
    void backupThenRestoreReproducesEveryPartExactly() throws Exception {
        Fixture f = new Fixture(tmp);
        try (MaintenanceEngine engine = f.builder().build()) {
            OperationStatus backup = Fixture.await(engine.startBackup());
            assertThat(backup.succeeded()).as(backup.statusMessage()).isTrue();
            assertThat(backup.statusMessage()).isEqualTo("OK");
            assertThat(backup.id()).matches("1\\.4\\.2_\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

            BackupStore.StoredBackup stored = engine.latestBackup().orElseThrow();
            assertThat(stored.id()).isEqualTo(backup.id());
            assertThat(stored.fileName()).isEqualTo("keepsake-" + backup.id().replace(':', '-') + ".tgz");
            assertThat(stored.sha256()).isEqualTo(Fixture.sha256(stored.open(0).readAllBytes()));

            BackupDescription d = engine.verify(f.root.resolve("work/backups").resolve(stored.fileName()));
            assertThat(d.backupId()).isEqualTo(backup.id());
            assertThat(d.productName()).isEqualTo("demo");
            assertThat(d.productVersion()).isEqualTo(Version.parse("1.4.2"));
            assertThat(d.signedWithKeyId()).contains("key-2024");
            assertThat(d.parts()).extracting(BackupDescription.Part::name).containsExactly("db", "files");
            assertThat(d.part("db").orElseThrow().schemaVersion()).contains("V42");
            assertThat(d.part("db").orElseThrow().attributes()).containsEntry("server", "15.4");
            assertThat(d.part("files").orElseThrow().schemaVersion()).contains("dir-1");

            Path copy = f.root.resolve("upload.tgz");
            Files.copy(stored.open(0), copy);
            OperationStatus restore = Fixture.await(engine.startRestore(RestoreSource.takingOwnership(copy)));
            assertThat(restore.succeeded()).as(restore.statusMessage()).isTrue();
            assertThat(restore.statusMessage()).isEqualTo("OK");
            assertThat(copy).doesNotExist();

            assertThat(Fixture.snapshot(f.filesTarget)).isEqualTo(Fixture.snapshot(f.source));
            for (String stream : new String[] {"table-a", "table-b", "copy", "empty"}) {
                assertThat(f.streamsTarget.resolve(stream)).hasBinaryContent(StreamPart.content(stream));
            }
            assertThat(f.streamsTarget.resolve("old-dump")).doesNotExist();
            // the exact mtime comes from the manifest (the tar header keeps whole seconds only)
            assertThat(Files.getLastModifiedTime(f.filesTarget.resolve("sub/b.bin")))
                    .isEqualTo(Files.getLastModifiedTime(f.source.resolve("sub/b.bin")));
            assertThat(f.files.commits).hasValue(1);
            assertThat(f.streams.commits).hasValue(1);

            MaintenanceStatus status = engine.status();
            assertThat(status.running()).isFalse();
            assertThat(status.backup()).contains(backup);
            assertThat(status.restore()).contains(restore);
            assertThat(status.progress()).isEmpty();
        }
    }

    @Test
    void chunksAppendedFromTwoThreadsInterleaveInTheArchiveAndComeBackInStreamOrderWithTheirCounts() throws Exception {
        java.util.concurrent.Semaphore aTurn = new java.util.concurrent.Semaphore(1);
        java.util.concurrent.Semaphore bTurn = new java.util.concurrent.Semaphore(0);
        List<String> restored = new java.util.ArrayList<>();
        class Alternating implements BackupJob, RestoreJob {
            @Override
            public String name() {
                return "alt";
            }

            @Override
            public String type() {
                return "test";
            }

            @Override
            public void write(PartWriter out, JobContext context) throws IOException {
                Thread b = new Thread(() -> append(out, "b", bTurn, aTurn), "appender-b");
                b.start();
                append(out, "a", aTurn, bTurn);
                try {
                    b.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException();
                }
            }

            private void append(PartWriter out, String stream, java.util.concurrent.Semaphore mine,
                                java.util.concurrent.Semaphore other) {
                try {
                    for (int i = 0; i < 3; i++) {
                        mine.acquire();
                        out.appendChunk(stream, ByteBuffer.wrap((stream + i).getBytes(StandardCharsets.UTF_8)));
                        other.release();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public PreparedRestore prepare(PartReader in, JobContext context) throws IOException {
                restored.add("counts a=" + in.chunkCount("a") + " b=" + in.chunkCount("b") + " c="
                        + in.chunkCount("c"));
                for (Optional<PartReader.Entry> e = in.next(); e.isPresent(); e = in.next()) {
                    restored.add(e.get().entry().name() + "#" + e.get().entry().chunkIndex() + "="
                            + new String(e.get().content().readAllBytes(), StandardCharsets.UTF_8));
                }
                return new PreparedRestore() {
                    @Override
                    public void commit() {
                    }

                    @Override
                    public void abort() {
                    }
                };
            }
        }
        Alternating part = new Alternating();
        try (MaintenanceEngine engine = MaintenanceEngine.builder().product("demo", Version.parse("1.0.0"))
                .workDirectory(tmp.resolve("work")).signingKey(Fixture.KEY).part(part).build()) {
            OperationStatus b = Fixture.await(engine.startBackup());
            assertThat(b.succeeded()).as(b.statusMessage()).isTrue();
            Path archive = tmp.resolve("work/backups").resolve(engine.latestBackup().orElseThrow().fileName());
            assertThat(Fixture.run(tmp, "tar", "tzf", archive.toString())).containsSubsequence(
                    "parts/alt/a.chunk-000000", "parts/alt/b.chunk-000000", "parts/alt/a.chunk-000001",
                    "parts/alt/b.chunk-000001", "parts/alt/a.chunk-000002", "parts/alt/b.chunk-000002");
            assertThat(Fixture.await(engine.startRestore(RestoreSource.of(archive))).succeeded()).isTrue();
            // the reader knows from the manifest how many chunks each stream has (a job can finish a stream early)
            assertThat(restored).containsExactly("counts a=3 b=3 c=0", "a#0=a0", "b#0=b0", "a#1=a1", "b#1=b1",
                    "a#2=a2", "b#2=b2");
        }
    }

    @Test
    void archiveRecompressedByAnotherGzipWriterIsRefusedAsRewritten() throws Exception {
        // the manifest's SHA-256 covers the compressed bytes the backup wrote, so a recompressed archive cannot be
        // verified: the first pass refuses another writer's gzip members at once, and nothing changes
        Fixture f = new Fixture(tmp);
        try (MaintenanceEngine engine = f.builder().build()) {
            Path archive = f.backup(engine, "single.tgz");
            byte[] tar;
            try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(archive))) {
                tar = in.readAllBytes();
            }
            Path multi = tmp.resolve("multi.tgz");
            try (var out = Files.newOutputStream(multi)) {
                int[] cuts = {0, 1000, tar.length / 2, tar.length};
                for (int i = 0; i + 1 < cuts.length; i++) {
                    var g = new java.util.zip.GZIPOutputStream(out) {
                        @Override
                        public void close() throws IOException {
                            finish(); // keep the file open for the next member
                        }
                    };
                    g.write(tar, cuts[i], cuts[i + 1] - cuts[i]);
                    g.close();
                }
            }
            String refusal = "The archive's compressed stream was not written by Keepsake (gzip member 1 at offset 0 "
                    + "does not record its length): it was rewritten by another tool, tampered with or damaged; use "
                    + "the file the backup wrote.";
            assertThatThrownBy(() -> engine.verify(multi)).isInstanceOf(ArchiveVerificationException.class)
                    .hasMessage(refusal);
            Map<String, String> before = Fixture.snapshot(f.filesTarget);
            OperationStatus s = Fixture.await(engine.startRestore(RestoreSource.of(multi)));
            assertThat(s.succeeded()).isFalse();
            assertThat(s.statusMessage()).contains(OperationFailure.lowerFirst(refusal));
            assertThat(Fixture.snapshot(f.filesTarget)).isEqualTo(before);
            assertThat(engine.verify(archive).backupId()).isEqualTo(engine.latestBackup().orElseThrow().id());
        }
    }

    @Test
    void archiveIsReadableBySystemTarWithHeaderFirstAndSignatureLast() throws Exception {
        Fixture f = new Fixture(tmp);
        try (MaintenanceEngine engine = f.builder().build()) {
            Path archive = f.backup(engine, "copy.tgz");
            var names = Fixture.run(tmp, "tar", "tzf", archive.toString());
            assertThat(names.get(0)).isEqualTo("keepsake/header.json");
            assertThat(names.get(names.size() - 2)).isEqualTo("keepsake/manifest.json");
            assertThat(names.get(names.size() - 1)).isEqualTo("keepsake/manifest.sig");
            assertThat(names).contains("parts/files/" + Fixture.LONG_NAME, "parts/files/emptydir/",
                    "parts/files/link", "parts/files/sub/Grüße ünïcødé.txt", "parts/db/table-a.chunk-000000",
                    "parts/db/empty.chunk-000000", "parts/db/copy.chunk-000010");
            // no PAX header just for sub-second times (only long or non-ASCII names need one)
            try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(archive))) {
                String tar = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(tar).doesNotContain("mtime=").contains("path=");
            }
            // extracting with tar gives the same bytes
            Path out = Files.createDirectories(tmp.resolve("extracted"));
            Fixture.run(out, "tar", "xzf", archive.toString());
            assertThat(out.resolve("parts/files/sub/b.bin")).hasSameBinaryContentAs(f.source.resolve("sub/b.bin"));
            assertThat(Files.readSymbolicLink(out.resolve("parts/files/link"))).isEqualTo(Path.of("a.txt"));
        }
    }
}
