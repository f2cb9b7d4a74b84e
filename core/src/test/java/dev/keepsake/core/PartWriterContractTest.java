package dev.keepsake.core;

import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.BackupJob;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartReader;
import dev.keepsake.core.spi.PartWriter;
import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.core.spi.RestoreJob;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A backup job that breaks the {@link PartWriter} contract fails the backup with a message naming the mistake. */
class PartWriterContractTest {

    @TempDir
    Path tmp;

    interface Misuse {
        void write(PartWriter out) throws IOException;
    }

    record Case(String name, Misuse misuse, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final Instant T = Instant.parse("2024-01-01T00:00:00Z");

    static Stream<Case> cases() {
        return Stream.of(
                new Case("writing more than the declared size", out -> {
                    try (OutputStream o = out.addEntry(ArchiveEntry.file("a", 3, 0644, T))) {
                        o.write(new byte[4]);
                    }
                }, "entry 'a' of part 'misuse': writing 4 bytes, more than its declared size 3"),
                new Case("closing an entry early", out -> {
                    try (OutputStream o = out.addEntry(ArchiveEntry.file("a", 3, 0644, T))) {
                        o.write(1);
                    }
                }, "entry 'a' of part 'misuse': wrote 1 of 3 bytes"),
                new Case("an entry name that escapes the part", out -> out.addEntry(
                        ArchiveEntry.file("../a", 0, 0644, T)), "entry name '../a' has a '..' segment"),
                new Case("an absolute entry name", out -> out.addEntry(ArchiveEntry.file("/etc/a", 0, 0644, T)),
                        "entry name '/etc/a' is absolute"),
                new Case("the same entry twice", out -> {
                    out.addEntry(ArchiveEntry.file("a", 0, 0644, T)).close();
                    out.addEntry(ArchiveEntry.file("a", 0, 0644, T)).close();
                }, "entry 'parts/misuse/a' was already written"),
                new Case("a stream name with a backslash", out -> out.appendChunk("a\\b", ByteBuffer.allocate(1)),
                        "stream name 'a\\b' contains a backslash"),
                new Case("a stream left open", out -> out.openStream("s", 10).write(1),
                        "did not close the stream(s) s opened with openStream()"),
                new Case("an entry left open", out -> out.addEntry(ArchiveEntry.file("a", 1, 0644, T)),
                        "returned while an entry it added was still open"),
                new Case("a symlink with an over-long target", out -> out.addEntry(ArchiveEntry.symlink("l",
                        "x".repeat(5000), T)), "symlink 'l' has an empty, over-long"),
                new Case("a chunk added as a known-size entry", out -> out.addEntry(new ArchiveEntry("c",
                        ArchiveEntry.Type.CHUNK, 0, 0644, T, null, 0)), "add CHUNK entries with appendChunk"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void misuseFailsTheBackupWithAClearMessageAndStoresNothing(Case c) throws Exception {
        BackupJob job = new BackupJob() {
            @Override
            public String name() {
                return "misuse";
            }

            @Override
            public String type() {
                return "test";
            }

            @Override
            public void write(PartWriter out, JobContext context) throws IOException {
                c.misuse().write(out);
            }
        };
        RestoreJob restore = new RestoreJob() {
            @Override
            public String name() {
                return "misuse";
            }

            @Override
            public PreparedRestore prepare(PartReader in, JobContext context) {
                throw new UnsupportedOperationException();
            }
        };
        try (MaintenanceEngine engine = MaintenanceEngine.builder().product("demo", Version.parse("1.0.0"))
                .workDirectory(tmp).signingKey(Fixture.KEY).part(job, restore).build()) {
            OperationStatus s = Fixture.await(engine.startBackup());
            assertThat(s.succeeded()).isFalse();
            assertThat(s.errorCode()).contains(ErrorCode.PART_FAILED);
            assertThat(s.statusMessage()).startsWith("Backup failed in part 'misuse' (").contains(c.expected());
            assertThat(engine.latestBackup()).isEmpty();
            try (Stream<Path> files = Files.list(tmp.resolve("backups"))) {
                assertThat(files).isEmpty();
            }
        }
    }
}
