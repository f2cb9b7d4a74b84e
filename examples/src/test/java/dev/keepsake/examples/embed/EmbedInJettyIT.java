package dev.keepsake.examples.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.http.PasswordHash;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.TestDatabase;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's quick start, as compiled in {@link EmbedInJetty}, serves the API inside an existing Jetty service. */
@ExtendWith(PostgresExtension.class)
class EmbedInJettyIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path stateDir;

    @Test
    void quickStartAddsAWorkingMaintenanceApiToAnExistingJettyContext(TestDatabase db) throws Exception {
        db.execute("CREATE TABLE note (id int PRIMARY KEY, body text); INSERT INTO note VALUES (1, 'hello');");
        Files.createDirectories(stateDir.resolve("uploads"));
        Files.writeString(stateDir.resolve("uploads/a.txt"), "a");
        String key = Base64.getEncoder().encodeToString(new byte[32]);
        String hash = PasswordHash.create("pw-Embed-1".toCharArray()).encoded();
        ServletContextHandler context = new ServletContextHandler("/");

        try (MaintenanceEngine engine = EmbedInJetty.addKeepsake(context, db.dataSource(), stateDir, key, hash)) {
            Server server = new Server(0);
            server.setHandler(context);
            server.start();
            try {
                String base = "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort()
                        + "/api/maintenance/db";
                HttpClient http = HttpClient.newHttpClient();
                String auth = "Basic " + Base64.getEncoder().encodeToString("admin:pw-Embed-1".getBytes(StandardCharsets.UTF_8));

                HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(anonymous.statusCode()).isEqualTo(401);

                HttpResponse<String> start = http.send(HttpRequest.newBuilder(URI.create(base + "/backup"))
                        .header("Authorization", auth).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(start.statusCode()).isEqualTo(202);

                Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
                JsonNode status;
                do {
                    Thread.sleep(200);
                    status = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base))
                            .header("Authorization", auth).build(), HttpResponse.BodyHandlers.ofString()).body());
                } while (!status.path("backup").path("succeded").asBoolean(false) && Instant.now().isBefore(deadline));
                assertThat(status.path("backup").path("succeded").asBoolean(false)).as(status.toString()).isTrue();
                assertThat(status.path("backup").path("id").asText()).startsWith("2.4.0_");

                HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(URI.create(base + "/backup"))
                        .header("Authorization", auth).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(download.statusCode()).isEqualTo(200);
                try (GZIPInputStream gz = new GZIPInputStream(new java.io.ByteArrayInputStream(download.body()))) {
                    assertThat(gz.readAllBytes()).isNotEmpty();
                }
            } finally {
                server.stop();
            }
        }
    }
}
