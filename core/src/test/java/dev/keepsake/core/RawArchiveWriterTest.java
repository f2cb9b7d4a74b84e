package dev.keepsake.core;

import dev.keepsake.testfixtures.RawArchiveWriter;
import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.BackupJob;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartReader;
import dev.keepsake.core.spi.PartWriter;
import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.core.spi.RestoreJob;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The test-support writer crafts signed archives that pass verification, so parts must defend themselves. */
class RawArchiveWriterTest {

    @TempDir
    Path tmp;

    static final String PART = "volume:uploads";

    /** Records what the engine hands it; refuses symlinks that escape, as a real volume part must. */
    static final class CheckingPart implements BackupJob, RestoreJob {
        final List<ArchiveEntry> seen = new ArrayList<>();

        @Override
        public String name() {
            return PART;
        }

        @Override
        public String type() {
            return "volume";
        }

        @Override
        public void write(PartWriter out, JobContext context) {
        }

        @Override
        public PreparedRestore prepare(PartReader in, JobContext context) throws IOException {
            for (Optional<PartReader.Entry> e = in.next(); e.isPresent(); e = in.next()) {
                ArchiveEntry a = e.get().entry();
                seen.add(a);
                if (a.type() == ArchiveEntry.Type.SYMLINK && a.linkTarget().startsWith("/")) {
                    throw new IOException("symlink '" + a.name() + "' points outside the volume");
                }
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

    private MaintenanceEngine engine(CheckingPart part) {
        return MaintenanceEngine.builder().product("demo", Version.parse("1.0.0")).workDirectory(tmp.resolve("work"))
                .signingKey(Fixture.KEY).part(part).build();
    }

    private Path write(RawWriting body) throws Exception {
        Path file = tmp.resolve("crafted.tgz");
        try (OutputStream out = Files.newOutputStream(file)) {
            RawArchiveWriter w = RawArchiveWriter.create(out, ArchiveFormat.GZIP);
            w.header("demo", "1.0.0", "1.0.0_2024-01-01T00:00:00.000Z", Instant.parse("2024-01-01T00:00:00Z"),
                    List.of(RawArchiveWriter.part(PART, "volume", null)));
            body.write(w);
        }
        return file;
    }

    interface RawWriting {
        void write(RawArchiveWriter w) throws Exception;
    }

    @Test
    void craftedHostileButSignedArchivePassesVerificationAndThePartRefusesIt() throws Exception {
        Path file = write(w -> {
            w.attribute(PART, "root", "uploads");
            w.symlink(PART, "evil", "/etc");
            w.file(PART, "evil/passwd", "root::0:0".getBytes(StandardCharsets.UTF_8));
            w.finish(Fixture.KEY);
        });
        CheckingPart part = new CheckingPart();
        try (MaintenanceEngine engine = engine(part)) {
            BackupDescription d = engine.verify(file);
            assertThat(d.entryCount()).isEqualTo(2);
            assertThat(d.part(PART).orElseThrow().attributes()).containsEntry("root", "uploads");

            OperationStatus s = Fixture.await(engine.startRestore(RestoreSource.of(file)));
            assertThat(s.succeeded()).isFalse();
            assertThat(s.statusMessage()).isEqualTo("Restore failed while preparing part 'volume:uploads' (symlink "
                    + "'evil' points outside the volume); nothing was changed. Fix the problem and start the restore "
                    + "again.");
            assertThat(part.seen).extracting(ArchiveEntry::name).containsExactly("evil");
        }
    }

    @Test
    void craftedArchiveWithAHardLinkIsRefusedByVerificationEvenWhenSigned() throws Exception {
        Path file = write(w -> {
            TarArchiveEntry hard = new TarArchiveEntry("parts/" + PART + "/h", TarConstants.LF_LINK, true);
            hard.setLinkName("/etc/shadow");
            w.rawListed(hard, new byte[0], PART, "h", ArchiveEntry.Type.FILE);
            w.finish(Fixture.KEY);
        });
        try (MaintenanceEngine engine = engine(new CheckingPart())) {
            assertThatThrownBy(() -> engine.verify(file)).isInstanceOf(ArchiveVerificationException.class)
                    .hasMessageContaining("of tar type 'hard link'");
        }
    }

    @Test
    void craftedArchiveWithAnEditedManifestIsRefused() throws Exception {
        Path file = write(w -> {
            w.file(PART, "a", "abc".getBytes(StandardCharsets.UTF_8));
            String json = new String(RawArchiveWriter.manifestJson(w.manifest()), StandardCharsets.UTF_8);
            w.finish(json.replace("\"mode\":420", "\"mode\":4095").getBytes(StandardCharsets.UTF_8), Fixture.KEY);
        });
        CheckingPart part = new CheckingPart();
        try (MaintenanceEngine engine = engine(part)) {
            // signed after editing: valid; the part sees the mode the manifest says
            engine.verify(file);
            assertThat(Fixture.await(engine.startRestore(RestoreSource.of(file))).succeeded()).isTrue();
            assertThat(part.seen).extracting(ArchiveEntry::mode).containsExactly(07777);
        }
    }
}
