package dev.keepsake.volume;

import dev.keepsake.core.InvalidConfigurationException;
import dev.keepsake.core.spi.PartReader;
import dev.keepsake.testfixtures.TarPartArchive;
import dev.keepsake.testfixtures.TestJobContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the backup side records, skips and refuses, on real trees. */
class VolumeBackupTest {

    @TempDir
    Path tmp;

    private List<String> entryNames(Path tar, String partName, Map<String, String> attributes) throws IOException {
        List<String> names = new ArrayList<>();
        PartReader r = TarPartArchive.reader(tar, partName, attributes);
        Optional<PartReader.Entry> e;
        while ((e = r.next()).isPresent()) {
            names.add(e.get().entry().type() + " " + e.get().entry().name());
        }
        return names;
    }

    @Test
    void entriesAreWrittenInSortedOrderAndTwoBackupsOfTheSameTreeAreIdentical() throws IOException {
        Path vol = tmp.resolve("vol");
        Trees.write(vol.resolve("b/2"), "x");
        Trees.write(vol.resolve("b/1"), "x");
        Trees.write(vol.resolve("a"), "x");
        Files.createDirectories(vol.resolve("c"));
        VolumePart part = VolumePart.builder().name("v").path(vol).build();
        Map<String, String> attrs = TarPartArchive.write(part, tmp.resolve("1.tar"), TestJobContext.normal());
        TarPartArchive.write(part, tmp.resolve("2.tar"), TestJobContext.normal());
        assertThat(entryNames(tmp.resolve("1.tar"), part.name(), attrs))
                .containsExactly("FILE a", "DIRECTORY b", "FILE b/1", "FILE b/2", "DIRECTORY c");
        assertThat(Files.readAllBytes(tmp.resolve("1.tar"))).isEqualTo(Files.readAllBytes(tmp.resolve("2.tar")));
    }

    @Test
    void includeAndExcludeGlobsSelectEntriesAndKeepParentsAndEmptyExcludedDirectories() throws IOException {
        Path vol = tmp.resolve("vol");
        Trees.write(vol.resolve("top.tmp"), "x");
        Trees.write(vol.resolve("keep.txt"), "x");
        Trees.write(vol.resolve("docs/a/b.tmp"), "x");
        Trees.write(vol.resolve("docs/a/readme.md"), "x");
        Trees.write(vol.resolve("cache/blob"), "x");
        Trees.write(vol.resolve("cache/sub/blob2"), "x");
        Trees.write(vol.resolve("other/x.txt"), "x");
        Files.createDirectories(vol.resolve("other/empty"));

        VolumePart excluding = VolumePart.builder().name("v").path(vol).exclude("**/*.tmp", "cache/**").build();
        Map<String, String> attrs = TarPartArchive.write(excluding, tmp.resolve("ex.tar"), TestJobContext.normal());
        assertThat(entryNames(tmp.resolve("ex.tar"), excluding.name(), attrs)).containsExactly(
                "DIRECTORY cache", "DIRECTORY docs", "DIRECTORY docs/a", "FILE docs/a/readme.md", "FILE keep.txt",
                "DIRECTORY other", "DIRECTORY other/empty", "FILE other/x.txt");

        VolumePart including = VolumePart.builder().name("v").path(vol).include("docs/**", "keep.txt", "other")
                .exclude("**/*.tmp").build();
        attrs = TarPartArchive.write(including, tmp.resolve("in.tar"), TestJobContext.normal());
        assertThat(entryNames(tmp.resolve("in.tar"), including.name(), attrs)).containsExactly(
                "DIRECTORY docs", "DIRECTORY docs/a", "FILE docs/a/readme.md", "FILE keep.txt",
                "DIRECTORY other", "DIRECTORY other/empty", "FILE other/x.txt");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS) // a FIFO that is opened would block forever
    void fifosSocketsAndDevicesAreSkippedWithoutBeingOpened() throws Exception {
        Path vol = tmp.resolve("vol");
        Trees.write(vol.resolve("data.txt"), "x");
        Path fifo = vol.resolve("a-fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        boolean device = new ProcessBuilder("mknod", vol.resolve("a-char-device").toString(), "c", "1", "3")
                .inheritIO().start().waitFor() == 0; // needs CAP_MKNOD: root in most test environments
        try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(vol.resolve("a-socket")));
            VolumePart part = VolumePart.builder().name("v").path(vol).build();
            Map<String, String> attrs = TarPartArchive.write(part, tmp.resolve("v.tar"), TestJobContext.normal());
            assertThat(entryNames(tmp.resolve("v.tar"), part.name(), attrs)).containsExactly("FILE data.txt");
            assertThat(attrs).containsEntry("skipped", device ? "3" : "2").containsEntry("files", "1");
        }
    }

    @Test
    void linksLeadingOutsideTheVolumeFailTheBackupNamingTheLink() throws IOException {
        Path srv = tmp.resolve("srv");
        Path vol = srv.resolve("vol");
        Trees.write(vol.resolve("sub/f"), "x");
        Trees.write(srv.resolve("volx/secret"), "sibling");
        Map<String, String> links = Map.of(
                "abs", "/etc/passwd",
                "up", "../volx",
                "sibling-prefix", "../volx/secret",
                "sub/deep-escape", "../../vol/../volx",
                "dangling-escape", "../../nowhere");
        for (Map.Entry<String, String> l : links.entrySet()) {
            Path link = vol.resolve(l.getKey());
            Files.createSymbolicLink(link, Path.of(l.getValue()));
            VolumePart part = VolumePart.builder().name("v").path(vol).build();
            assertThatThrownBy(() -> TarPartArchive.write(part, tmp.resolve("v.tar"), TestJobContext.normal()))
                    .as(l.getKey()).isInstanceOf(VolumeBackupException.class)
                    .hasMessageContaining("symbolic link '" + l.getKey() + "' -> '" + l.getValue() + "'")
                    .hasMessageContaining("SymlinkPolicy.SKIP_OUTSIDE");
            Files.delete(link);
        }
    }

    @Test
    void aDirectorySwappedForALinkDuringTheBackupIsNotFollowed() throws IOException {
        Path vol = tmp.resolve("vol");
        Trees.write(vol.resolve("d/a"), "first");
        Trees.write(vol.resolve("d/sub/x"), "inside");
        Path outside = tmp.resolve("outside");
        Trees.write(outside.resolve("sub/x"), "SECRET from outside the volume");
        // (with the default FAIL policy the backup fails on the change; ACCEPT shows what would be read)
        VolumePart part = VolumePart.builder().name("v").path(vol).changedFiles(ChangedFilePolicy.accept()).build();
        Path tar = tmp.resolve("v.tar");
        // while the backup is inside d (after listing it), an attacker swaps d for a link to outside
        Map<String, String> attrs = TarPartArchive.write(part, tar, TestJobContext.normal(), e -> {
            if (e.name().equals("d/a")) {
                try {
                    Files.move(vol.resolve("d"), vol.resolve("d-moved"));
                    Files.createSymbolicLink(vol.resolve("d"), outside);
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }
        });
        PartReader r = TarPartArchive.reader(tar, part.name(), attrs);
        Optional<PartReader.Entry> e;
        List<String> contents = new ArrayList<>();
        while ((e = r.next()).isPresent()) {
            contents.add(e.get().entry().name() + "=" + new String(e.get().content().readAllBytes()));
        }
        assertThat(contents).contains("d/sub/x=inside").noneMatch(c -> c.contains("SECRET"));
    }

    @Test
    void escapeHiddenBehindAnotherLinkIsDetectedOnBackupAsOnRestore() throws IOException {
        Path vol = tmp.resolve("vol");
        Files.createDirectories(vol.resolve("x/y"));
        Files.createSymbolicLink(vol.resolve("x/y/z"), Path.of("../.."));
        Files.createSymbolicLink(vol.resolve("w"), Path.of("x/y/z/q/../../../.."));
        VolumePart part = VolumePart.builder().name("v").path(vol).build();
        assertThatThrownBy(() -> TarPartArchive.write(part, tmp.resolve("v.tar"), TestJobContext.normal()))
                .isInstanceOf(VolumeBackupException.class).hasMessageContaining("symbolic link 'w'");
    }

    @Test
    void skipPolicyLeavesOutsideLinksOutAndKeepsInsideLinks() throws IOException {
        Path vol = tmp.resolve("vol");
        Trees.write(vol.resolve("f"), "x");
        Files.createSymbolicLink(vol.resolve("abs"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(vol.resolve("inside"), Path.of("f"));
        VolumePart part = VolumePart.builder().name("v").path(vol).symlinks(SymlinkPolicy.SKIP_OUTSIDE).build();
        Map<String, String> attrs = TarPartArchive.write(part, tmp.resolve("v.tar"), TestJobContext.normal());
        assertThat(entryNames(tmp.resolve("v.tar"), part.name(), attrs)).containsExactly("FILE f", "SYMLINK inside");
        assertThat(attrs).containsEntry("skipped", "1").containsEntry("symlinks", "1");
    }

    /** Appends to {@code file} the first time the backup reports progress: the file changes while being read. */
    private static TestJobContext appendingOnFirstRead(TestJobContext context, Path file, int times) {
        int[] left = {times};
        return context.onProgress(b -> {
            if (left[0]-- > 0) {
                try {
                    Files.writeString(file, "more", java.nio.file.StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
    }

    @Test
    void fileChangingWhileReadFailsTheBackupNamingIt() throws IOException {
        Path vol = tmp.resolve("vol");
        Trees.write(vol.resolve("db/growing.log"), "initial content");
        VolumePart part = VolumePart.builder().name("v").path(vol).build();
        TestJobContext context = appendingOnFirstRead(TestJobContext.normal(), vol.resolve("db/growing.log"), 1);
        assertThatThrownBy(() -> TarPartArchive.write(part, tmp.resolve("v.tar"), context))
                .isInstanceOf(VolumeBackupException.class)
                .hasMessageContaining("file 'db/growing.log' changed while it was backed up")
                .hasMessageContaining("before-backup hook");
    }

    @Test
    void fileChangingWhileReadIsAcceptedWhenTheApplicationIsQuiescedOrThePolicyAccepts() throws IOException {
        Path vol = tmp.resolve("vol");
        Path log = vol.resolve("growing.log");
        Trees.write(log, "initial content");
        VolumePart part = VolumePart.builder().name("v").path(vol).build();
        Map<String, String> attrs = TarPartArchive.write(part, tmp.resolve("q.tar"),
                appendingOnFirstRead(TestJobContext.quiesced(), log, 1));
        assertThat(attrs).containsEntry("files", "1");

        Trees.write(log, "initial content");
        VolumePart accepting = VolumePart.builder().name("v").path(vol).changedFiles(ChangedFilePolicy.accept())
                .build();
        attrs = TarPartArchive.write(accepting, tmp.resolve("a.tar"),
                appendingOnFirstRead(TestJobContext.normal(), log, 1));
        assertThat(attrs).containsEntry("files", "1").containsEntry("bytes", "15");
    }

    @Test
    void retryPolicyReadsAChangedFileAgainAndKeepsTheConsistentCopy() throws IOException {
        Path vol = tmp.resolve("vol");
        Path log = vol.resolve("growing.log");
        Trees.write(log, "initial content");
        VolumePart part = VolumePart.builder().name("v").path(vol).changedFiles(ChangedFilePolicy.retry(2))
                .spoolDirectory(tmp).build();
        Map<String, String> attrs = TarPartArchive.write(part, tmp.resolve("r.tar"),
                appendingOnFirstRead(TestJobContext.normal(), log, 1));
        assertThat(attrs).containsEntry("bytes", String.valueOf("initial contentmore".length()));
        assertThat(Trees.names(tmp)).containsExactly("r.tar", "vol"); // no spool file left

        Trees.write(log, "initial content");
        assertThatThrownBy(() -> TarPartArchive.write(part, tmp.resolve("r2.tar"),
                appendingOnFirstRead(TestJobContext.normal(), log, 10)))
                .isInstanceOf(VolumeBackupException.class)
                .hasMessageContaining("file 'growing.log' kept changing while it was backed up")
                .hasMessageContaining("3 attempts");
        assertThat(Trees.names(tmp)).noneMatch(n -> n.startsWith(".keepsake-spool-"));
    }

    @Test
    void fileVanishingDuringTheBackupFailsNamingItUnlessAccepted() throws IOException {
        Path vol = tmp.resolve("vol");
        Trees.write(vol.resolve("a.txt"), "x");
        Trees.write(vol.resolve("b.txt"), "deleted by the application during the backup");
        VolumePart part = VolumePart.builder().name("v").path(vol).build();
        AtomicBoolean deleted = new AtomicBoolean();
        assertThatThrownBy(() -> TarPartArchive.write(part, tmp.resolve("v.tar"), TestJobContext.normal(), e -> {
            if (e.name().equals("a.txt") && deleted.compareAndSet(false, true)) {
                deleteQuietly(vol.resolve("b.txt"));
            }
        })).isInstanceOf(VolumeBackupException.class).hasMessageContaining("'b.txt' vanished");

        Trees.write(vol.resolve("b.txt"), "again");
        VolumePart accepting = VolumePart.builder().name("v").path(vol).changedFiles(ChangedFilePolicy.accept())
                .build();
        Map<String, String> attrs = TarPartArchive.write(accepting, tmp.resolve("v.tar"), TestJobContext.normal(),
                e -> {
                    if (e.name().equals("a.txt")) {
                        deleteQuietly(vol.resolve("b.txt"));
                    }
                });
        assertThat(attrs).containsEntry("files", "1").containsEntry("skipped", "1");
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aNameTheRestoreWouldRefuseFailsTheBackupNamingIt() throws IOException {
        Path vol = tmp.resolve("vol");
        Trees.write(vol.resolve("windows\\style"), "x");
        VolumePart part = VolumePart.builder().name("v").path(vol).build();
        assertThatThrownBy(() -> TarPartArchive.write(part, tmp.resolve("v.tar"), TestJobContext.normal()))
                .isInstanceOf(VolumeBackupException.class)
                .hasMessageContaining("'windows\\style' cannot be backed up because a restore would refuse it")
                .hasMessageContaining("backslash");
    }

    @Test
    void aNameWithAControlCharacterFailsTheBackupNamingItEscaped() throws IOException {
        Path vol = tmp.resolve("vol");
        Trees.write(vol.resolve("line\nbreak"), "x");
        VolumePart part = VolumePart.builder().name("v").path(vol).build();
        assertThatThrownBy(() -> TarPartArchive.write(part, tmp.resolve("v.tar"), TestJobContext.normal()))
                .isInstanceOf(VolumeBackupException.class)
                .hasMessageContaining("'line\\u000Abreak' cannot be backed up")
                .hasMessageContaining("control character");
    }

    @Test
    void missingVolumeDirectoryFailsClearly() {
        VolumePart part = VolumePart.builder().name("v").path(tmp.resolve("missing")).build();
        assertThatThrownBy(() -> TarPartArchive.write(part, tmp.resolve("v.tar"), TestJobContext.normal()))
                .isInstanceOf(VolumeBackupException.class).hasMessageContaining("is not a directory");
    }

    @Test
    void builderListsEveryProblemAtOnce() {
        assertThatThrownBy(() -> VolumePart.builder().name("bad name!").path(Path.of("relative"))
                .exclude("/abs", "[unclosed").maxDepth(0).freeSpaceMargin(-1).maxRestoreBytes(0).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("volume name 'bad name!' is invalid")
                .hasMessageContaining("path 'relative' must be absolute")
                .hasMessageContaining("exclude pattern '/abs' is invalid")
                .hasMessageContaining("exclude pattern '[unclosed' is invalid")
                .hasMessageContaining("maxDepth must be 1-2048")
                .hasMessageContaining("freeSpaceMargin must be >= 0")
                .hasMessageContaining("maxRestoreBytes must be >= 1");
    }

    @Test
    void partNameAndTypeFollowTheConvention() {
        VolumePart part = VolumePart.builder().name("uploads").path(tmp).build();
        assertThat(part.name()).isEqualTo("volume:uploads");
        assertThat(part.type()).isEqualTo("volume");
    }
}
