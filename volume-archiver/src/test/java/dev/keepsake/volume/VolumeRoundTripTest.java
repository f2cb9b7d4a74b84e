package dev.keepsake.volume;

import dev.keepsake.core.spi.PartReader;
import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.testfixtures.TarPartArchive;
import dev.keepsake.testfixtures.TestJobContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Backup then restore of real trees through a real tar, checking everything that must survive. */
class VolumeRoundTripTest {

    @TempDir
    Path tmp;

    static final Instant T1 = Instant.parse("2001-02-03T04:05:06Z");
    static final Instant T2 = Instant.parse("2019-12-31T23:59:58Z");

    /** A tree with everything a volume may hold: empty dirs, unicode and long names, modes, times, links. */
    static void buildRichTree(Path vol) throws IOException {
        Files.createDirectories(vol.resolve("empty"));
        Files.createDirectories(vol.resolve("a/b/c/empty2"));
        Trees.write(vol.resolve("a/file.txt"), "hello");
        Trees.write(vol.resolve("日本語/ファイル.txt"), "unicode");
        Trees.write(vol.resolve("emoji 😀 and spaces.bin"), "emoji");
        Trees.write(vol.resolve("caf\u00e9"), "nfc");
        Trees.write(vol.resolve("x".repeat(255)), "255-byte name");
        Trees.write(vol.resolve("é".repeat(127)), "254-byte name of 127 two-byte characters");
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < 28; i++) {
            deep.append(i == 0 ? "" : "/").append(String.valueOf((char) ('a' + i % 26)).repeat(100));
        }
        Trees.write(vol.resolve(deep + "/deep.txt"), "about 2,800 bytes of path");
        Files.write(vol.resolve("empty-file"), new byte[0]);
        byte[] random = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(random);
        Files.write(vol.resolve("a/random.bin"), random);
        byte[] holes = new byte[1024 * 1024 + 1];
        holes[holes.length - 1] = 'x';
        Files.write(vol.resolve("a/mostly-zeros.bin"), holes);
        Files.write(vol.resolve("a/all-zeros.bin"), new byte[600_000]);
        Trees.write(vol.resolve("modes/exec.sh"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(vol.resolve("modes/exec.sh"), PosixFilePermissions.fromString("rwxr-x---"));
        Trees.write(vol.resolve("modes/readonly.txt"), "ro");
        Files.setPosixFilePermissions(vol.resolve("modes/readonly.txt"), PosixFilePermissions.fromString("r--------"));
        Trees.write(vol.resolve("modes/ro-dir/inside.txt"), "inside a read-only directory");
        Files.createDirectories(vol.resolve("links"));
        Files.createSymbolicLink(vol.resolve("links/to-file"), Path.of("../a/file.txt"));
        Files.createSymbolicLink(vol.resolve("links/to-dir"), Path.of("../a"));
        Files.createSymbolicLink(vol.resolve("links/dangling-inside"), Path.of("not-there-yet"));
        Files.createSymbolicLink(vol.resolve("links/via-link"), Path.of("to-dir/b"));
        Files.setLastModifiedTime(vol.resolve("a/file.txt"), FileTime.from(T1));
        Files.setLastModifiedTime(vol.resolve("empty"), FileTime.from(T2));
        Files.setPosixFilePermissions(vol.resolve("modes/ro-dir"), PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.setPosixFilePermissions(vol.resolve("a/b"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.setLastModifiedTime(vol.resolve("a"), FileTime.from(T1));
        Files.setPosixFilePermissions(vol, PosixFilePermissions.fromString("rwxr-x---"));
    }

    static PreparedRestore restore(VolumePart part, PartReader reader) throws IOException {
        return part.prepare(reader, TestJobContext.normal());
    }

    @Test
    void roundTripRestoresEveryFileDirectoryModeTimeAndInternalLinkOverAChangedVolume() throws IOException {
        Path vol = tmp.resolve("vol");
        buildRichTree(vol);
        Map<String, String> before = Trees.snapshot(vol);
        VolumePart part = VolumePart.builder().name("data").path(vol).build();
        Path tar = tmp.resolve("data.tar");
        Map<String, String> attributes = TarPartArchive.write(part, tar, TestJobContext.normal());
        assertThat(attributes).containsEntry("files", "14").containsEntry("symlinks", "4")
                .containsEntry("skipped", "0").containsEntry("rootMode", "750");

        // the service changes the volume after the backup
        Trees.write(vol.resolve("a/file.txt"), "changed after the backup");
        Trees.write(vol.resolve("new-after-backup/x"), "new");
        Files.delete(vol.resolve("empty-file"));

        try (PreparedRestore prepared = restore(part, TarPartArchive.reader(tar, part.name(), attributes))) {
            assertThat(Files.readString(vol.resolve("a/file.txt"))).isEqualTo("changed after the backup");
            prepared.commit();
        }
        assertThat(Trees.snapshot(vol)).isEqualTo(before);
        assertThat(Trees.names(tmp)).containsExactly("data.tar", "vol");
    }

    @Test
    void restoreCreatesTheVolumeDirectoryWhenItIsMissing() throws IOException {
        Path vol = tmp.resolve("vol");
        buildRichTree(vol);
        Map<String, String> before = Trees.snapshot(vol);
        VolumePart part = VolumePart.builder().name("data").path(vol).build();
        Path tar = tmp.resolve("data.tar");
        Map<String, String> attributes = TarPartArchive.write(part, tar, TestJobContext.normal());
        Path elsewhere = tmp.resolve("fresh/vol");
        Files.createDirectories(elsewhere.getParent());
        VolumePart target = VolumePart.builder().name("data").path(elsewhere).build();
        try (PreparedRestore prepared = restore(target, TarPartArchive.reader(tar, part.name(), attributes))) {
            prepared.commit();
        }
        assertThat(Trees.snapshot(elsewhere)).isEqualTo(before);
        assertThat(Trees.names(elsewhere.getParent())).containsExactly("vol");
    }

    @Test
    void abortBeforeCommitLeavesTheVolumeAndNoStaging() throws IOException {
        Path vol = tmp.resolve("vol");
        buildRichTree(vol);
        VolumePart part = VolumePart.builder().name("data").path(vol).build();
        Path tar = tmp.resolve("data.tar");
        Map<String, String> attributes = TarPartArchive.write(part, tar, TestJobContext.normal());
        Trees.write(vol.resolve("a/file.txt"), "changed after the backup");
        Map<String, String> changed = Trees.snapshot(vol);
        try (PreparedRestore prepared = restore(part, TarPartArchive.reader(tar, part.name(), attributes))) {
            assertThat(Trees.names(tmp)).hasSize(3); // the staging directory exists while prepared
            prepared.abort();
        }
        assertThat(Trees.snapshot(vol)).isEqualTo(changed);
        assertThat(Trees.names(tmp)).containsExactly("data.tar", "vol");
    }

    @Test
    void abortAfterCommitPutsThePreviousContentBack() throws IOException {
        Path vol = tmp.resolve("vol");
        buildRichTree(vol);
        VolumePart part = VolumePart.builder().name("data").path(vol).build();
        Path tar = tmp.resolve("data.tar");
        Map<String, String> attributes = TarPartArchive.write(part, tar, TestJobContext.normal());
        Trees.write(vol.resolve("a/file.txt"), "changed after the backup");
        Map<String, String> changed = Trees.snapshot(vol);
        try (PreparedRestore prepared = restore(part, TarPartArchive.reader(tar, part.name(), attributes))) {
            prepared.commit();
            assertThat(Files.readString(vol.resolve("a/file.txt"))).isEqualTo("hello");
            prepared.abort();
        }
        assertThat(Trees.snapshot(vol)).isEqualTo(changed);
        assertThat(Trees.names(tmp)).containsExactly("data.tar", "vol");
    }

    @Test
    void stagingDirectoryIsPrivateWhilePrepared() throws IOException {
        Path vol = tmp.resolve("vol");
        Trees.write(vol.resolve("f"), "x");
        VolumePart part = VolumePart.builder().name("data").path(vol).build();
        Path tar = tmp.resolve("data.tar");
        Map<String, String> attributes = TarPartArchive.write(part, tar, TestJobContext.normal());
        try (PreparedRestore prepared = restore(part, TarPartArchive.reader(tar, part.name(), attributes))) {
            Path staging = Files.list(tmp).filter(p -> p.getFileName().toString().startsWith(".vol.keepsake-staging-"))
                    .findFirst().orElseThrow();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(staging))).isEqualTo("rwx------");
            prepared.abort();
        }
    }
}
