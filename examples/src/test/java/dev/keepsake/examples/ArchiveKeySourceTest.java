package dev.keepsake.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchiveKeySourceTest {

    @TempDir
    Path tmp;

    private ArchiveKeySource source(Map<String, String> env) {
        return new ArchiveKeySource(env);
    }

    @Test
    void backupCreatesMissingDefaultKeyFileWithModeOwnerOnlyAndReusesIt() throws Exception {
        Map<String, String> env = Map.of("XDG_CONFIG_HOME", tmp.toString());
        Path expected = tmp.resolve("keepsake/archive.key");

        ArchiveKeySource.Loaded first = source(env).forWriting(null);

        assertThat(source(env).defaultKeyFile()).isEqualTo(expected);
        assertThat(Files.getPosixFilePermissions(expected)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Base64.getDecoder().decode(Files.readString(expected).strip())).hasSize(32);
        assertThat(first.source()).contains(expected.toString());
        ArchiveKeySource.Loaded again = source(env).forWriting(null);
        assertThat(again.key()).isEqualTo(first.key());
        assertThat(again.key().id()).matches("[0-9a-f]{8}");
    }

    @Test
    void readingNeverCreatesAKeyFile() {
        Map<String, String> env = Map.of("XDG_CONFIG_HOME", tmp.toString());

        assertThat(source(env).forReading(null)).isEmpty();
        assertThat(tmp.resolve("keepsake")).doesNotExist();
    }

    @Test
    void environmentKeyWinsOverDefaultFileAndExplicitFileWinsOverEnvironment() throws Exception {
        byte[] envSecret = new byte[40];
        envSecret[0] = 7;
        Map<String, String> env = Map.of("XDG_CONFIG_HOME", tmp.toString(),
                ArchiveKeySource.ENV, Base64.getEncoder().encodeToString(envSecret));
        Path explicit = tmp.resolve("explicit.key");
        Files.writeString(explicit, Base64.getEncoder().encodeToString(new byte[32]) + "\n");

        ArchiveKeySource.Loaded fromEnv = source(env).forWriting(null);
        ArchiveKeySource.Loaded fromFile = source(env).forReading(explicit).orElseThrow();

        assertThat(fromEnv.key()).isEqualTo(ArchiveKeySource.toKey(envSecret.clone()));
        assertThat(fromEnv.source()).contains(ArchiveKeySource.ENV);
        assertThat(tmp.resolve("keepsake")).doesNotExist();
        assertThat(fromFile.key()).isEqualTo(ArchiveKeySource.toKey(new byte[32]));
        assertThat(fromFile.key().id()).isNotEqualTo(fromEnv.key().id());
    }

    @Test
    void shortOrMalformedKeysAreRefusedWithoutShowingThem() throws Exception {
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> source(Map.of(ArchiveKeySource.ENV, shortKey)).forWriting(null))
                .isInstanceOf(CommandFailedException.class)
                .hasMessageContaining("16 bytes").hasMessageContaining("at least 32")
                .hasMessageNotContaining(shortKey);
        Path bad = tmp.resolve("bad.key");
        Files.writeString(bad, "not base64 at all!!");
        assertThatThrownBy(() -> source(Map.of()).forReading(bad))
                .isInstanceOf(CommandFailedException.class)
                .hasMessageContaining(bad.toString()).hasMessageContaining("base64")
                .hasMessageNotContaining("not base64 at all");
    }
}
