package dev.keepsake.volume;

import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.testfixtures.TarPartArchive;
import dev.keepsake.testfixtures.TestJobContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With a real mount point as the volume (a tmpfs, or a bind mount of the same device as container runtimes create),
 * the default {@link MountPointMode#AUTO} must detect it and replace its children instead of renaming it (which would
 * fail with EBUSY). Needs permission to mount (root with CAP_SYS_ADMIN); skipped otherwise.
 */
class RealMountPointTest {

    @TempDir
    Path tmp;
    Path vol;
    private final List<Path> mounted = new ArrayList<>();

    @BeforeEach
    void volume() throws IOException {
        vol = tmp.resolve("srv/vol");
        Files.createDirectories(vol);
    }

    @AfterEach
    void unmount() throws Exception {
        for (Path p : mounted) {
            run("umount", p.toString());
        }
    }

    private static boolean run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean ok = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        if (!ok && command[0].equals("umount")) {
            throw new AssertionError("umount failed: " + out);
        }
        return ok;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tmpfs", "bind"})
    void autoModeDetectsTheMountPointAndReplacesItsChildren(String kind) throws Exception {
        boolean ok = kind.equals("tmpfs")
                ? run("mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", vol.toString())
                : run("mount", "--bind", Files.createDirectories(tmp.resolve("bind-source")).toString(),
                vol.toString());
        Assumptions.assumeTrue(ok, "cannot mount here (needs root with CAP_SYS_ADMIN)");
        mounted.add(vol);

        Path source = tmp.resolve("source");
        Trees.write(source.resolve("restored.txt"), "from the backup");
        Trees.write(source.resolve("dir/inner.txt"), "inner");
        VolumePart sourcePart = VolumePart.builder().name("vol").path(source).build();
        Path tar = tmp.resolve("vol.tar");
        Map<String, String> attributes = TarPartArchive.write(sourcePart, tar, TestJobContext.normal());

        Trees.write(vol.resolve("previous.txt"), "previous");
        Map<String, String> before = Trees.snapshot(vol);
        VolumePart part = VolumePart.builder().name("vol").path(vol).build();

        try (PreparedRestore prepared = part.prepare(TarPartArchive.reader(tar, part.name(), attributes),
                TestJobContext.normal())) {
            assertThat(Trees.names(tmp.resolve("srv"))).as("staging inside the mount, not next to it")
                    .containsExactly("vol");
            prepared.abort();
        }
        assertThat(Trees.snapshot(vol)).isEqualTo(before);

        try (PreparedRestore prepared = part.prepare(TarPartArchive.reader(tar, part.name(), attributes),
                TestJobContext.normal())) {
            prepared.commit();
        }
        assertThat(Trees.names(vol)).containsExactly("dir", "restored.txt");
        assertThat(Files.readString(vol.resolve("dir/inner.txt"))).isEqualTo("inner");
    }

    @org.junit.jupiter.api.Test
    void aFilesystemWithoutRoomForTheVolumeIsRefusedBeforeExtracting() throws Exception {
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", vol.toString()),
                "cannot mount here (needs root with CAP_SYS_ADMIN)");
        mounted.add(vol);
        Path source = tmp.resolve("source");
        Files.createDirectories(source);
        Files.write(source.resolve("two-mib.bin"), new byte[2 << 20]);
        VolumePart sourcePart = VolumePart.builder().name("vol").path(source).build();
        Path tar = tmp.resolve("vol.tar");
        Map<String, String> attributes = TarPartArchive.write(sourcePart, tar, TestJobContext.normal());
        Trees.write(vol.resolve("previous.txt"), "previous");
        Map<String, String> before = Trees.snapshot(vol);
        VolumePart part = VolumePart.builder().name("vol").path(vol).freeSpaceMargin(0).build();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> part.prepare(
                        TarPartArchive.reader(tar, part.name(), attributes), TestJobContext.normal()))
                .isInstanceOf(VolumeRestoreException.class).hasMessageContaining("not enough free space");
        assertThat(Trees.snapshot(vol)).isEqualTo(before);
    }
}
