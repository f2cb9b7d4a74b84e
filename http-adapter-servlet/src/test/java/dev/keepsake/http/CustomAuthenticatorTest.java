package dev.keepsake.http;

import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.http.spi.Authenticator;
import dev.keepsake.testfixtures.DirectoryPart;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

import static org.assertj.core.api.Assertions.assertThat;

/** The authenticator SPI: a service plugs in its own check (here an API key header) and challenge. */
class CustomAuthenticatorTest {

    @TempDir
    Path tmp;

    /** Accepts {@code X-Api-Key: <key>}; compares in constant time. */
    record ApiKeyAuthenticator(byte[] key) implements Authenticator {
        @Override
        public Result authenticate(HttpServletRequest request) {
            String given = request.getHeader("X-Api-Key");
            if (given == null) {
                return Result.missing();
            }
            return MessageDigest.isEqual(key, given.getBytes(StandardCharsets.UTF_8))
                    ? Result.authenticated("api-client") : Result.rejected();
        }

        @Override
        public String challenge(String realm) {
            return "ApiKey realm=\"" + realm + "\"";
        }
    }

    @Test
    void aCustomAuthenticatorDecidesAndChallenges() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        try (MaintenanceEngine engine = TestServer.engine(tmp.resolve("work"), new DirectoryPart("volume:data", data));
             TestServer server = TestServer.start(engine, HttpAdapterConfig.builder()
                     .authenticator(new ApiKeyAuthenticator("k-123".getBytes(StandardCharsets.UTF_8)))
                     .tempDirectory(tmp.resolve("uploads")).realm("ops").build(), false)) {
            HttpResponse<String> none = server.client.send(HttpRequest.newBuilder(server.base).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).contains("ApiKey realm=\"ops\"");
            HttpResponse<String> wrong = server.client.send(HttpRequest.newBuilder(server.base)
                    .header("X-Api-Key", "nope").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);
            HttpResponse<String> ok = server.client.send(HttpRequest.newBuilder(server.base)
                    .header("X-Api-Key", "k-123").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
        }
    }
}
