package dev.keepsake.http;

import dev.keepsake.core.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpAdapterConfigTest {

    private static final BasicAuthenticator AUTH = BasicAuthenticator.withPasswordHash("admin",
            PasswordHash.create("pw".toCharArray(), 10_000));

    @Test
    void defaultsAreDocumentedValues() {
        HttpAdapterConfig c = HttpAdapterConfig.builder().authenticator(AUTH).build();
        assertThat(c.maxUploadSize()).isEqualTo(10L << 30);
        assertThat(c.maxParts()).isEqualTo(16);
        assertThat(c.uploadIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.uploadDeadline()).isEqualTo(Duration.ofHours(4));
        assertThat(c.tempDirectory()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
        assertThat(c.realm()).isEqualTo("keepsake");
        assertThat(c.builtInAuthentication()).isTrue();
        assertThat(c.authenticator()).containsSame(AUTH);
        assertThat(c.requiredRole()).isEmpty();
        assertThat(c.csrfProtection()).isTrue();
        assertThat(c.allowedOrigins()).isEmpty();
        assertThat(c.maxFailureDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.toBuilder().build()).isEqualTo(c);
    }

    @Test
    void everyProblemIsListedInOneMessage() {
        assertThatThrownBy(() -> HttpAdapterConfig.builder()
                .maxUploadSize(0).maxParts(0).uploadIdleTimeout(Duration.ZERO).uploadDeadline(Duration.ofSeconds(-1))
                .realm(" ").allowOrigin(URI.create("ftp://x")).allowOrigin(URI.create("https://a/b"))
                .maxFailureDelay(Duration.ofMinutes(5)).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("maxUploadSize must be at least 1 byte but is 0")
                .hasMessageContaining("maxParts must be at least 1 but is 0")
                .hasMessageContaining("uploadIdleTimeout must be a positive duration but is PT0S")
                .hasMessageContaining("uploadDeadline must be a positive duration")
                .hasMessageContaining("realm must be a non-blank")
                .hasMessageContaining("built-in authentication is on but no authenticator is set")
                .hasMessageContaining("'ftp://x' must use http or https")
                .hasMessageContaining("'https://a/b' is not an origin")
                .hasMessageContaining("maxFailureDelay must be between 0 and 30 s");
    }

    @Test
    void containerManagedSecurityTakesARoleAndNoAuthenticator() {
        HttpAdapterConfig c = HttpAdapterConfig.builder().containerManagedSecurity("backup-admin").build();
        assertThat(c.builtInAuthentication()).isFalse();
        assertThat(c.authenticator()).isEmpty();
        assertThat(c.requiredRole()).contains("backup-admin");
    }

    @Test
    void containerManagedSecurityReplacesAnAuthenticatorButARoleWithBuiltInAuthenticationIsRefused() {
        HttpAdapterConfig container = HttpAdapterConfig.builder().authenticator(AUTH)
                .containerManagedSecurity("backup-admin").build();
        assertThat(container.authenticator()).isEmpty();
        assertThat(container.requiredRole()).contains("backup-admin");

        assertThatThrownBy(() -> container.toBuilder().authenticator(AUTH).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("requiredRole applies to container-managed security only");

        HttpAdapterConfig builtIn = container.toBuilder().containerManagedSecurity(null).authenticator(AUTH).build();
        assertThat(builtIn.builtInAuthentication()).isTrue();
        assertThat(builtIn.authenticator()).containsSame(AUTH);
        assertThat(builtIn.requiredRole()).isEmpty();
    }

    @Test
    void toBuilderDerivesAConfigurationAndLeavesTheOriginalUnchanged() {
        HttpAdapterConfig base = HttpAdapterConfig.builder().authenticator(AUTH).maxParts(4).build();
        HttpAdapterConfig derived = base.toBuilder().maxParts(8).allowOrigin(URI.create("https://a.example")).build();
        assertThat(base.maxParts()).isEqualTo(4);
        assertThat(base.allowedOrigins()).isEmpty();
        assertThat(derived.maxParts()).isEqualTo(8);
        assertThat(derived.authenticator()).containsSame(AUTH);
        assertThat(derived.toString()).contains("maxParts=8").contains("authenticator=BasicAuthenticator");
    }

    @Test
    void allowedOriginsAreNormalisedWithExplicitPorts() {
        HttpAdapterConfig c = HttpAdapterConfig.builder().authenticator(AUTH)
                .allowOrigin(URI.create("HTTPS://Admin.Example.com")).allowOrigin(URI.create("http://h:8080/")).build();
        assertThat(c.allowedOrigins()).containsExactlyInAnyOrder(URI.create("https://admin.example.com:443"),
                URI.create("http://h:8080"));
    }
}
