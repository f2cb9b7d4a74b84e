package dev.keepsake.volume;

import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.testfixtures.TarPartArchive;
import dev.keepsake.testfixtures.TestJobContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Commits that fail half-way, provoked with the immutable attribute ({@code chattr +i}: not even root can rename such
 * a file): the volume must end exactly as before. Needs root and a filesystem with the attribute (ext4, xfs); skipped
 * otherwise.
 */
class CommitFailureTest {

    @TempDir
    Path tmp;
    Path tar;
    Map<String, String> attributes;
    private final List<Path> immutable = new ArrayList<>();

    @BeforeEach
    void archive() throws IOException {
        Path source = tmp.resolve("source");
        Trees.write(source.resolve("restored.txt"), "from the backup");
        Trees.write(source.resolve("dir/inner.txt"), "inner");
        tar = tmp.resolve("vol.tar");
        attributes = TarPartArchive.write(VolumePart.builder().name("vol").path(source).build(), tar,
                TestJobContext.normal());
    }

    @AfterEach
    void mutableAgain() throws Exception {
        for (Path p : immutable) {
            chattr("-i", p);
        }
    }

    private static boolean chattr(String flag, Path p) throws Exception {
        Process proc = new ProcessBuilder("chattr", flag, p.toString()).redirectErrorStream(true).start();
        proc.getInputStream().readAllBytes();
        return proc.waitFor(30, TimeUnit.SECONDS) && proc.exitValue() == 0;
    }

    private void makeImmutable(Path p) throws Exception {
        Assumptions.assumeTrue(chattr("+i", p), "chattr +i is not possible here (needs root and ext4/xfs)");
        immutable.add(p);
    }

    @Test
    void childrenModeCommitFailingHalfWayPutsEveryChildBack() throws Exception {
        Path vol = tmp.resolve("mnt/vol");
        for (String n : List.of("a.txt", "b.txt", "c.txt", "locked.txt", "x.txt", "y.txt")) {
            Trees.write(vol.resolve(n), "previous " + n);
        }
        Trees.write(vol.resolve("dir/old-inner.txt"), "previous inner");
        makeImmutable(vol.resolve("locked.txt"));
        Map<String, String> before = Trees.snapshot(vol);
        VolumePart part = VolumePart.builder().name("vol").path(vol)
                .mountPointMode(MountPointMode.REPLACE_CHILDREN).build();

        try (PreparedRestore prepared = part.prepare(TarPartArchive.reader(tar, part.name(), attributes),
                TestJobContext.normal())) {
            assertThatThrownBy(prepared::commit).isInstanceOf(VolumeRestoreException.class)
                    .hasMessageContaining("could not move the restored files into the mount point")
                    .hasMessageContaining("the volume is unchanged");
            prepared.abort(); // what the engine does next: nothing left to undo
        }

        assertThat(Trees.snapshot(vol)).isEqualTo(before);
    }

    @Test
    void renameModeCommitThatCannotSetTheVolumeAsideLeavesIt() throws Exception {
        Path srv = tmp.resolve("srv");
        Path vol = srv.resolve("vol");
        Trees.write(vol.resolve("previous.txt"), "previous");
        Map<String, String> before = Trees.snapshot(vol);
        VolumePart part = VolumePart.builder().name("vol").path(vol).build();

        try (PreparedRestore prepared = part.prepare(TarPartArchive.reader(tar, part.name(), attributes),
                TestJobContext.normal())) {
            makeImmutable(vol); // the first rename (volume -> set aside) fails with EPERM
            assertThatThrownBy(prepared::commit).isInstanceOf(VolumeRestoreException.class)
                    .hasMessageContaining("could not set the previous content of " + vol + " aside")
                    .hasMessageContaining("the volume is unchanged");
            prepared.abort();
        }
        assertThat(Trees.snapshot(vol)).isEqualTo(before);
        assertThat(Trees.names(srv)).containsExactly("vol");
    }

    @Test
    void renameModeCommitThatCannotTouchTheStagingLeavesTheVolumeAndTheNextRestoreSweepsIt() throws Exception {
        Path srv = tmp.resolve("srv");
        Path vol = srv.resolve("vol");
        Trees.write(vol.resolve("previous.txt"), "previous");
        Map<String, String> before = Trees.snapshot(vol);
        VolumePart part = VolumePart.builder().name("vol").path(vol).build();

        try (PreparedRestore prepared = part.prepare(TarPartArchive.reader(tar, part.name(), attributes),
                TestJobContext.normal())) {
            Path staging;
            try (var list = Files.list(srv)) {
                staging = list.filter(p -> p.getFileName().toString().startsWith(".vol.keepsake-staging-"))
                        .findFirst().orElseThrow();
            }
            makeImmutable(staging);
            assertThatThrownBy(prepared::commit).isInstanceOf(VolumeRestoreException.class)
                    .hasMessageContaining("the volume is unchanged");
            assertThat(Trees.snapshot(vol)).isEqualTo(before);
            chattr("-i", staging);
            immutable.remove(staging);
        }
        // the staging could not be deleted while immutable; the next restore sweeps it
        try (PreparedRestore prepared = part.prepare(TarPartArchive.reader(tar, part.name(), attributes),
                TestJobContext.normal())) {
            prepared.abort();
        }
        assertThat(Trees.snapshot(vol)).isEqualTo(before);
        assertThat(Trees.names(srv)).containsExactly("vol");
    }
}
