package dev.keepsake.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.testfixtures.DirectoryPart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Authentication, CSRF, 404/405, OPTIONS and the OpenAPI document, over real HTTP. */
class ProtocolTest {

    @TempDir
    Path tmp;
    MaintenanceEngine engine;
    TestServer server;
    String creds = TestServer.USER + ":" + TestServer.PASSWORD;

    @BeforeEach
    void start() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "a");
        engine = TestServer.engine(tmp.resolve("work"), new DirectoryPart("volume:data", data));
        server = TestServer.start(engine, TestServer.config(tmp.resolve("uploads"))
                .allowOrigin(URI.create("https://admin.example.com"))
                .maxFailureDelay(Duration.ofMillis(400)).build(), false);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        engine.close();
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return server.client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder anonymous(String path) {
        return HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(30));
    }

    private static void assertUnauthorized(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Basic realm=\"keepsake\", charset=\"UTF-8\"");
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v ->
                assertThat(v).startsWith("application/problem+json"));
        assertThat(TestServer.JSON.readTree(r.body()).get("type").asText()).isEqualTo("urn:keepsake:problem:unauthorized");
    }

    @Test
    void everyEndpointNeedsValidCredentials() throws Exception {
        for (String path : new String[]{"", "/backup", "/restore", "/openapi.json", "/nonexistent"}) {
            assertUnauthorized(send(anonymous(path).GET()));
        }
        assertUnauthorized(send(anonymous("/backup").POST(HttpRequest.BodyPublishers.noBody())));
        assertUnauthorized(send(anonymous("").header("Authorization", TestServer.basic(TestServer.USER, "wrong")).GET()));
        assertUnauthorized(send(anonymous("").header("Authorization", TestServer.basic("root", TestServer.PASSWORD)).GET()));
        assertUnauthorized(send(anonymous("").header("Authorization", "Basic !!!not-base64").GET()));
        assertUnauthorized(send(anonymous("").header("Authorization", "Bearer abc").GET()));
        assertThat(server.status().get("running").asBoolean()).as("no backup was started").isFalse();
        assertThat(server.get("").statusCode()).isEqualTo(200);
    }

    @Test
    void repeatedFailuresFromOneAddressAreSlowedDown() throws Exception {
        HttpRequest bad = anonymous("").header("Authorization", TestServer.basic(TestServer.USER, "guess")).GET().build();
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            assertThat(server.client.send(bad, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
        }
        // 50 + 100 + 200 + 400 + 400 ms of added delay at least (cap 400 ms in this test)
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1150));
        // a success resets it
        assertThat(server.get("").statusCode()).isEqualTo(200);
    }

    @Test
    void crossSiteBrowserPostsAreRefusedWhileCurlAndSameOriginPass() throws Exception {
        String url = server.base + "/backup";
        String self = server.base.getScheme() + "://" + server.base.getAuthority();
        // the acceptance script's cross-site attempt
        assertThat(code("-X", "POST", "-H", "Origin: https://evil.example", "-H", "Sec-Fetch-Site: cross-site", url))
                .isEqualTo("403");
        assertThat(code("-X", "POST", "-H", "Origin: https://evil.example", url)).isEqualTo("403");
        assertThat(code("-X", "POST", "-H", "Sec-Fetch-Site: cross-site", url)).isEqualTo("403");
        assertThat(code("-X", "POST", "-H", "Sec-Fetch-Site: same-site", "-H", "Origin: http://other.localhost", url))
                .isEqualTo("403");
        assertThat(code("-X", "POST", "-H", "Origin: null", url)).isEqualTo("403");
        assertThat(code("-X", "POST", "-H", "Origin: " + self.replace("127.0.0.1", "127.0.0.2"), url)).isEqualTo("403");
        assertThat(code("-X", "POST", "-F", "file=@/etc/hostname", "-H", "Origin: https://evil.example",
                server.base + "/restore")).isEqualTo("403");
        assertThat(server.status().get("running").asBoolean()).isFalse();
        assertThat(server.status().get("backup").get("id").isNull()).as("nothing started").isTrue();
        // GET stays possible cross-site (it changes nothing and the answer is not readable without CORS)
        assertThat(code("-H", "Origin: https://evil.example", server.base.toString())).isEqualTo("200");
        // same origin and a configured origin pass
        assertThat(code("-X", "POST", "-H", "Origin: " + self, "-H", "Sec-Fetch-Site: same-origin", url)).isEqualTo("202");
        server.awaitIdle();
        assertThat(code("-X", "POST", "-H", "Origin: https://admin.example.com", "-H", "Sec-Fetch-Site: cross-site", url))
                .isEqualTo("202");
        server.awaitIdle();
        // curl without Origin: the documented command works
        assertThat(code("-X", "POST", url)).isEqualTo("202");
        server.awaitIdle();
    }

    private String code(String... args) throws Exception {
        String[] all = new String[args.length + 6];
        all[0] = "-s";
        all[1] = "-o";
        all[2] = "/dev/null";
        all[3] = "-w";
        all[4] = "%{http_code}";
        all[5] = "-u" + creds;
        System.arraycopy(args, 0, all, 6, args.length);
        return TestServer.curl(all);
    }

    @Test
    void wrongMethodsAre405WithAllow() throws Exception {
        HttpResponse<String> put = send(server.request("").PUT(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).contains("GET, HEAD, OPTIONS");
        assertThat(TestServer.JSON.readTree(put.body()).get("type").asText())
                .isEqualTo("urn:keepsake:problem:method-not-allowed");
        HttpResponse<String> del = send(server.request("/backup").DELETE());
        assertThat(del.statusCode()).isEqualTo(405);
        assertThat(del.headers().firstValue("Allow")).contains("GET, HEAD, POST, OPTIONS");
        HttpResponse<String> getRestore = send(server.request("/restore").GET());
        assertThat(getRestore.statusCode()).isEqualTo(405);
        assertThat(getRestore.headers().firstValue("Allow")).contains("POST, OPTIONS");
        HttpResponse<String> postStatus = send(server.request("").POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(postStatus.statusCode()).isEqualTo(405);
        HttpResponse<String> options = send(server.request("/backup").method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertThat(options.statusCode()).isEqualTo(204);
        assertThat(options.headers().firstValue("Allow")).contains("GET, HEAD, POST, OPTIONS");
        assertThat(code("-X", "PUT", server.base.toString())).isEqualTo("405");
    }

    @Test
    void unknownPathsAre404Problems() throws Exception {
        for (String path : new String[]{"/nope", "/backup/extra", "/restore/x", "/openapi.yaml"}) {
            HttpResponse<String> r = server.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            {
                JsonNode p = TestServer.JSON.readTree(r.body());
                assertThat(p.get("type").asText()).isEqualTo("urn:keepsake:problem:not-found");
                assertThat(p.get("detail").asText()).contains("/api/maintenance/db/openapi.json");
            }
        }
        assertThat(server.get("/").statusCode()).as("trailing slash is the status").isEqualTo(200);
    }

    @Test
    void statusIsJsonWithHeadSupport() throws Exception {
        HttpResponse<String> r = server.get("");
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(r.headers().firstValue("Cache-Control")).contains("no-store");
        JsonNode s = TestServer.JSON.readTree(r.body());
        assertThat(s.fieldNames()).toIterable().contains("running", "backup", "restore");
        assertThat(s.get("backup").fieldNames()).toIterable()
                .contains("succeded", "id", "statusMessage", "startDate", "endDate");
        HttpResponse<String> head = send(server.request("").method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void theOpenApiDocumentIsServedAndDescribesTheFourEndpoints() throws Exception {
        HttpResponse<String> r = server.get("/openapi.json");
        assertThat(r.statusCode()).isEqualTo(200);
        OpenApiDocumentTest.assertDescribesTheFourEndpoints(TestServer.JSON.readTree(r.body()));
    }
}
