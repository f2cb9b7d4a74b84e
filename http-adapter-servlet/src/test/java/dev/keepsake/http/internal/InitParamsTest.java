package dev.keepsake.http.internal;

import dev.keepsake.core.InvalidConfigurationException;
import dev.keepsake.http.HttpAdapterConfig;
import dev.keepsake.http.PasswordHash;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InitParamsTest {

    @Test
    void webXmlInitParametersBecomeTheConfiguration() {
        String hash = PasswordHash.create("pw".toCharArray(), 10_000).encoded();
        Map<String, String> p = Map.of("max-upload-size", "2GiB", "max-parts", "3",
                "upload-idle-timeout", "PT15S", "upload-deadline", "PT1H", "temp-directory", "/var/tmp/up",
                "realm", "ops", "basic-user", "admin", "basic-password-hash", hash,
                "csrf-protection", "true", "allowed-origins", "https://a.example, https://b.example:8443");
        HttpAdapterConfig c = InitParams.toConfig(p::get, Path.of("/unused"));
        assertThat(c.maxUploadSize()).isEqualTo(2L << 30);
        assertThat(c.maxParts()).isEqualTo(3);
        assertThat(c.uploadIdleTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.uploadDeadline()).isEqualTo(Duration.ofHours(1));
        assertThat(c.tempDirectory()).isEqualTo(Path.of("/var/tmp/up"));
        assertThat(c.realm()).isEqualTo("ops");
        assertThat(c.authenticator()).isPresent();
        assertThat(c.allowedOrigins()).containsExactlyInAnyOrder(URI.create("https://a.example:443"),
                URI.create("https://b.example:8443"));
    }

    @Test
    void containerManagedSecurityNeedsNoUser() {
        HttpAdapterConfig c = InitParams.toConfig(
                Map.of("built-in-authentication", "false", "required-role", "admin")::get, Path.of("/tmp/x"));
        assertThat(c.builtInAuthentication()).isFalse();
        assertThat(c.requiredRole()).contains("admin");
        assertThat(c.tempDirectory()).isEqualTo(Path.of("/tmp/x"));
    }

    @Test
    void badInitParametersAreAllNamed() {
        assertThatThrownBy(() -> InitParams.toConfig(Map.of("max-upload-size", "lots", "upload-deadline", "1h",
                "csrf-protection", "yes", "basic-user", "admin", "basic-password-hash", "plain")::get, Path.of("/t")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("max-upload-size 'lots'")
                .hasMessageContaining("upload-deadline '1h'")
                .hasMessageContaining("csrf-protection 'yes'")
                .hasMessageContaining("must look like 'pbkdf2-sha256$")
                .hasMessageNotContaining("plain'");
        assertThatThrownBy(() -> InitParams.toConfig(Map.<String, String>of()::get, Path.of("/t")))
                .hasMessageContaining("basic-user and basic-password-hash");
    }

    @Test
    void aRequiredRoleWithBuiltInAuthenticationIsRefusedNotIgnored() {
        assertThatThrownBy(() -> InitParams.toConfig(Map.of("required-role", "admin")::get, Path.of("/t")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("required-role applies to container-managed security only");
    }
}
