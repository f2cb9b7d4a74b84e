package dev.keepsake.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdminPasswordTest {

    @TempDir
    Path dataDir;

    @Test
    void generatedPasswordIsShownOnceAndOnlyItsHashIsKept() throws Exception {
        AdminPassword first = AdminPassword.resolve(Map.of(), dataDir);
        String password = first.generated().orElseThrow();
        Path file = dataDir.resolve(AdminPassword.FILE_NAME);

        assertThat(first.origin()).isEqualTo(AdminPassword.Origin.GENERATED);
        assertThat(password).hasSizeGreaterThanOrEqualTo(24);
        assertThat(Files.readString(file)).startsWith("pbkdf2-sha256$").doesNotContain(password);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        AdminPassword restarted = AdminPassword.resolve(Map.of(), dataDir);
        assertThat(restarted.origin()).isEqualTo(AdminPassword.Origin.STORED_HASH);
        assertThat(restarted.generated()).isEmpty();
        assertThat(restarted.hash().matches(password.toCharArray())).isTrue();
        assertThat(restarted.hash().matches("wrong".toCharArray())).isFalse();
        assertThat(restarted.hash()).isEqualTo(first.hash());
    }

    @Test
    void environmentPasswordWinsAndStoresNothing() throws Exception {
        AdminPassword p = AdminPassword.resolve(Map.of(AdminPassword.ENV, "s3cret-Pass"), dataDir);

        assertThat(p.origin()).isEqualTo(AdminPassword.Origin.ENVIRONMENT);
        assertThat(p.hash().matches("s3cret-Pass".toCharArray())).isTrue();
        assertThat(p.hash().matches("s3cret-pass".toCharArray())).isFalse();
        assertThat(dataDir.resolve(AdminPassword.FILE_NAME)).doesNotExist();
    }

    @Test
    void damagedHashFileIsRefusedWithTheFix() throws Exception {
        Files.writeString(dataDir.resolve(AdminPassword.FILE_NAME), "garbage");

        assertThatThrownBy(() -> AdminPassword.resolve(Map.of(), dataDir))
                .isInstanceOf(CommandFailedException.class)
                .hasMessageContaining("damaged").hasMessageContaining("delete it");
    }
}
