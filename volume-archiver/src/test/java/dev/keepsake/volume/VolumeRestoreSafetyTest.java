package dev.keepsake.volume;

import dev.keepsake.core.spi.PartReader;
import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.testfixtures.TarPartArchive;
import dev.keepsake.testfixtures.TestJobContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How a restore treats what already exists at the target: links, mount points, left-overs. */
class VolumeRestoreSafetyTest {

    @TempDir
    Path tmp;
    Path source;
    Path tar;
    Map<String, String> attributes;
    Map<String, String> sourceSnapshot;

    @BeforeEach
    void archiveOfACleanTree() throws IOException {
        source = tmp.resolve("source");
        Trees.write(source.resolve("escape/payload"), "must land inside the volume");
        Trees.write(source.resolve("file-link"), "a regular file in the archive");
        Trees.write(source.resolve("keep/me.txt"), "restored");
        sourceSnapshot = Trees.snapshot(source);
        VolumePart part = VolumePart.builder().name("vol").path(source).build();
        tar = tmp.resolve("vol.tar");
        attributes = TarPartArchive.write(part, tar, TestJobContext.normal());
    }

    private PartReader reader() throws IOException {
        return TarPartArchive.reader(tar, "volume:vol", attributes);
    }

    @ParameterizedTest
    @EnumSource(MountPointMode.class)
    void preExistingLinksInTheTargetPointingOutsideAreNeverFollowed(MountPointMode mode) throws IOException {
        Path outside = tmp.resolve("outside");
        Trees.write(outside.resolve("victim.txt"), "outside content");
        Map<String, String> outsideBefore = Trees.snapshot(outside);
        Path vol = tmp.resolve("srv/vol");
        Files.createDirectories(vol);
        Files.createSymbolicLink(vol.resolve("escape"), outside);
        Files.createSymbolicLink(vol.resolve("file-link"), outside.resolve("victim.txt"));
        VolumePart part = VolumePart.builder().name("vol").path(vol).mountPointMode(mode).build();

        try (PreparedRestore prepared = part.prepare(reader(), TestJobContext.normal())) {
            prepared.commit();
        }

        assertThat(Trees.snapshot(outside)).isEqualTo(outsideBefore);
        assertThat(Files.isSymbolicLink(vol.resolve("escape"))).isFalse();
        assertThat(Files.readString(vol.resolve("escape/payload"))).isEqualTo("must land inside the volume");
        assertThat(Files.isSymbolicLink(vol.resolve("file-link"))).isFalse();
        assertThat(Trees.names(tmp.resolve("srv"))).containsExactly("vol");
        assertThat(Trees.names(vol)).containsExactly("escape", "file-link", "keep");
    }

    @Test
    void mountPointModeReplacesChildrenKeepsTheDirectoryAndCleansUpOnClose() throws IOException {
        Path vol = tmp.resolve("mnt/vol");
        Trees.write(vol.resolve("old.txt"), "previous");
        Object inode = Files.readAttributes(vol, "unix:ino").get("ino");
        VolumePart part = VolumePart.builder().name("vol").path(vol)
                .mountPointMode(MountPointMode.REPLACE_CHILDREN).build();
        try (PreparedRestore prepared = part.prepare(reader(), TestJobContext.normal())) {
            assertThat(Trees.names(vol)).hasSize(2).anyMatch(n -> n.startsWith(".keepsake-staging-"));
            prepared.commit();
            assertThat(Trees.names(vol)).hasSize(4).anyMatch(n -> n.startsWith(".keepsake-old-"));
        }
        assertThat(Files.readAttributes(vol, "unix:ino").get("ino")).isEqualTo(inode);
        Map<String, String> restored = Trees.snapshot(vol);
        restored.remove(".");
        Map<String, String> expected = new java.util.TreeMap<>(sourceSnapshot);
        expected.remove(".");
        assertThat(restored).isEqualTo(expected);
        assertThat(Trees.names(tmp.resolve("mnt"))).containsExactly("vol");
    }

    @Test
    void mountPointModeAbortBeforeAndAfterCommitPutsTheChildrenBack() throws IOException {
        Path vol = tmp.resolve("mnt/vol");
        Trees.write(vol.resolve("old.txt"), "previous");
        Trees.write(vol.resolve("keep/me.txt"), "previous version");
        Map<String, String> before = Trees.snapshot(vol);
        VolumePart part = VolumePart.builder().name("vol").path(vol)
                .mountPointMode(MountPointMode.REPLACE_CHILDREN).build();

        try (PreparedRestore prepared = part.prepare(reader(), TestJobContext.normal())) {
            prepared.abort();
        }
        assertThat(Trees.snapshot(vol)).isEqualTo(before);

        try (PreparedRestore prepared = part.prepare(reader(), TestJobContext.normal())) {
            prepared.commit();
            assertThat(Files.readString(vol.resolve("keep/me.txt"))).isEqualTo("restored");
            prepared.abort();
        }
        assertThat(Trees.snapshot(vol)).isEqualTo(before);
    }

    @Test
    void closeWithoutCommitOrAbortRemovesTheStaging() throws IOException {
        Path vol = tmp.resolve("srv/vol");
        Trees.write(vol.resolve("old.txt"), "previous");
        Map<String, String> before = Trees.snapshot(vol);
        VolumePart part = VolumePart.builder().name("vol").path(vol).build();
        part.prepare(reader(), TestJobContext.normal()).close();
        assertThat(Trees.snapshot(vol)).isEqualTo(before);
        assertThat(Trees.names(tmp.resolve("srv"))).containsExactly("vol");
    }

    @Test
    void stagingLeftByACrashIsSweptAndSetAsideContentWithoutAVolumeIsNeverDeleted() throws IOException {
        Path srv = tmp.resolve("srv");
        Path vol = srv.resolve("vol");
        Trees.write(vol.resolve("old.txt"), "previous");
        Trees.write(srv.resolve(".vol.keepsake-staging-0123456789abcdef/half"), "from a crash");
        VolumePart part = VolumePart.builder().name("vol").path(vol).build();
        try (PreparedRestore prepared = part.prepare(reader(), TestJobContext.normal())) {
            prepared.commit();
        }
        assertThat(Trees.names(srv)).containsExactly("vol");

        // a crash between the two renames: the volume is missing, its previous content set aside
        Files.move(vol, srv.resolve(".vol.keepsake-old-0123456789abcdef"));
        assertThatThrownBy(() -> part.prepare(reader(), TestJobContext.normal()))
                .isInstanceOf(VolumeRestoreException.class)
                .hasMessageContaining(".vol.keepsake-old-0123456789abcdef holds content set aside by an interrupted "
                        + "restore");
        assertThat(Trees.names(srv)).containsExactly(".vol.keepsake-old-0123456789abcdef");
    }

    @Test
    void configuredPathThatIsALinkToADirectoryRestoresIntoThatDirectory() throws IOException {
        Path real = tmp.resolve("data/real-vol");
        Trees.write(real.resolve("old.txt"), "previous");
        Path configured = tmp.resolve("vol-link");
        Files.createSymbolicLink(configured, real);
        VolumePart part = VolumePart.builder().name("vol").path(configured).build();
        try (PreparedRestore prepared = part.prepare(reader(), TestJobContext.normal())) {
            prepared.commit();
        }
        assertThat(Files.isSymbolicLink(configured)).isTrue();
        assertThat(Trees.names(real)).containsExactly("escape", "file-link", "keep");
        assertThat(Trees.names(real.getParent())).containsExactly("real-vol");
    }

    @Test
    void targetThatIsAFileOrWithoutParentIsRefusedClearly() throws IOException {
        Path file = tmp.resolve("not-a-dir");
        Files.writeString(file, "x");
        assertThatThrownBy(() -> VolumePart.builder().name("vol").path(file).build()
                .prepare(reader(), TestJobContext.normal()))
                .isInstanceOf(VolumeRestoreException.class).hasMessageContaining("is not a directory");
        assertThatThrownBy(() -> VolumePart.builder().name("vol").path(tmp.resolve("no/parent/vol")).build()
                .prepare(reader(), TestJobContext.normal()))
                .isInstanceOf(VolumeRestoreException.class).hasMessageContaining("does not exist. Create it");
    }

    @Test
    void aVolumeFormatFromTheFutureIsRefusedBeforeAnythingChanges() throws IOException {
        Path vol = tmp.resolve("srv/vol");
        Trees.write(vol.resolve("old.txt"), "previous");
        Map<String, String> before = Trees.snapshot(vol);
        Map<String, String> future = new java.util.HashMap<>(attributes);
        future.put("format", "2");
        VolumePart part = VolumePart.builder().name("vol").path(vol).build();
        assertThatThrownBy(() -> part.prepare(TarPartArchive.reader(tar, "volume:vol", future),
                TestJobContext.normal()))
                .isInstanceOf(VolumeRestoreException.class).hasMessageContaining("format 2");
        assertThat(Trees.snapshot(vol)).isEqualTo(before);
        assertThat(Trees.names(tmp.resolve("srv"))).containsExactly("vol");
    }

    @Test
    void interruptedRestoreFailsAndLeavesNoStaging() throws IOException {
        Path vol = tmp.resolve("srv/vol");
        Trees.write(vol.resolve("old.txt"), "previous");
        VolumePart part = VolumePart.builder().name("vol").path(vol).build();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> part.prepare(reader(), TestJobContext.normal()))
                    .isInstanceOf(InterruptedIOException.class);
        } finally {
            assertThat(Thread.interrupted()).as("the interrupt flag stays set").isTrue();
        }
        assertThat(Trees.names(tmp.resolve("srv"))).containsExactly("vol");
        assertThat(Files.exists(vol.resolve("old.txt"), LinkOption.NOFOLLOW_LINKS)).isTrue();
    }
}
