package dev.keepsake.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.testfixtures.DirectoryPart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET|HEAD /api/maintenance/db/backup}: 404 before any backup, headers, Range/206/416, If-Range, resume. */
class DownloadTest {

    @TempDir
    Path tmp;
    MaintenanceEngine engine;
    TestServer server;

    @BeforeEach
    void start() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        byte[] blob = new byte[2 * 1024 * 1024];
        new Random(3).nextBytes(blob); // incompressible, so the archive is about 2 MiB
        Files.write(data.resolve("blob.bin"), blob);
        engine = TestServer.engine(tmp.resolve("work"), new DirectoryPart("volume:data", data));
        server = TestServer.start(engine, TestServer.config(tmp.resolve("uploads")).build(), false);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        engine.close();
    }

    private HttpResponse<byte[]> get(String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = server.request("/backup").GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return server.client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void beforeAnyBackupTheDownloadIs404WithAProblemBody() throws Exception {
        HttpResponse<String> r = server.get("/backup");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v ->
                assertThat(v).startsWith("application/problem+json"));
        JsonNode p = TestServer.JSON.readTree(r.body());
        assertThat(p.get("type").asText()).isEqualTo("urn:keepsake:problem:no-backup");
        assertThat(p.get("title").asText()).isEqualTo("No backup available");
        assertThat(p.get("status").asInt()).isEqualTo(404);
        assertThat(p.get("detail").asText()).contains("POST /api/maintenance/db/backup");
        assertThat(p.get("instance").asText()).isEqualTo("/api/maintenance/db/backup");
        HttpResponse<String> head = server.client.send(server.request("/backup")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(404);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void fullDownloadHeadAndRangesAgree() throws Exception {
        server.backupNow();
        HttpResponse<byte[]> full = get();
        assertThat(full.statusCode()).isEqualTo(200);
        byte[] all = full.body();
        long size = all.length;
        assertThat(size).isGreaterThan(2_000_000);
        String etag = full.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).matches("\"[0-9a-f]{64}\"");
        assertThat(full.headers().firstValue("Accept-Ranges")).contains("bytes");
        assertThat(full.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(full.headers().firstValue("Last-Modified")).isPresent();

        HttpResponse<String> head = server.client.send(server.request("/backup")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(size);
        for (String h : new String[]{"ETag", "Content-Type", "Content-Disposition", "Cache-Control", "Accept-Ranges"}) {
            assertThat(head.headers().firstValue(h)).as(h).isEqualTo(full.headers().firstValue(h));
        }

        HttpResponse<byte[]> first100 = get("Range", "bytes=0-99");
        assertThat(first100.statusCode()).isEqualTo(206);
        assertThat(first100.headers().firstValue("Content-Range")).contains("bytes 0-99/" + size);
        assertThat(first100.body()).isEqualTo(java.util.Arrays.copyOfRange(all, 0, 100));

        HttpResponse<byte[]> suffix = get("Range", "bytes=-10");
        assertThat(suffix.statusCode()).isEqualTo(206);
        assertThat(suffix.headers().firstValue("Content-Range")).contains("bytes " + (size - 10) + "-" + (size - 1) + "/" + size);
        assertThat(suffix.body()).isEqualTo(java.util.Arrays.copyOfRange(all, (int) size - 10, (int) size));

        HttpResponse<byte[]> beyond = get("Range", "bytes=" + size + "-");
        assertThat(beyond.statusCode()).isEqualTo(416);
        assertThat(beyond.headers().firstValue("Content-Range")).contains("bytes */" + size);
        assertThat(beyond.headers().firstValue("Content-Type")).hasValueSatisfying(v ->
                assertThat(v).startsWith("application/problem+json"));

        HttpResponse<byte[]> matching = get("Range", "bytes=5-9", "If-Range", etag);
        assertThat(matching.statusCode()).isEqualTo(206);
        assertThat(matching.body()).isEqualTo(java.util.Arrays.copyOfRange(all, 5, 10));
        HttpResponse<byte[]> stale = get("Range", "bytes=5-9", "If-Range", "\"" + "0".repeat(64) + "\"");
        assertThat(stale.statusCode()).as("a stale validator gets the whole new file").isEqualTo(200);
        assertThat(stale.body()).isEqualTo(all);
        HttpResponse<byte[]> byDate = get("Range", "bytes=5-9",
                "If-Range", full.headers().firstValue("Last-Modified").orElseThrow());
        assertThat(byDate.statusCode()).isEqualTo(206);
    }

    @Test
    void aCutDownloadResumesWithRangeToTheSameBytes() throws Exception {
        server.backupNow();
        HttpResponse<String> head = server.client.send(server.request("/backup")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        long size = head.headers().firstValueAsLong("Content-Length").orElseThrow();
        String etag = head.headers().firstValue("ETag").orElseThrow();
        long half = size / 2 + 123;
        Path part = tmp.resolve("partial.tgz");

        // the first attempt is cut by the client after `half` bytes
        HttpResponse<InputStream> cut = server.client.send(server.request("/backup").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = cut.body()) {
            Files.write(part, in.readNBytes((int) half));
        }
        assertThat(Files.size(part)).isEqualTo(half);

        // resume from there, as curl -C - or a browser does
        HttpResponse<byte[]> rest = get("Range", "bytes=" + half + "-", "If-Range", etag);
        assertThat(rest.statusCode()).isEqualTo(206);
        assertThat(rest.headers().firstValue("Content-Range")).contains("bytes " + half + "-" + (size - 1) + "/" + size);
        Files.write(part, rest.body(), StandardOpenOption.APPEND);
        assertThat(Files.size(part)).isEqualTo(size);
        assertThat("\"" + EndToEndTest.sha256(part) + "\"").isEqualTo(etag);
    }

    @Test
    void curlResumesAnInterruptedDownload() throws Exception {
        server.backupNow();
        Path file = tmp.resolve("curl.tgz");
        String url = server.base + "/backup";
        String creds = TestServer.USER + ":" + TestServer.PASSWORD;
        // first half with an explicit range, then `curl -C -` continues where the file ends
        TestServer.curl("-s", "-u", creds, "-r", "0-999999", "-o", file.toString(), url);
        assertThat(Files.size(file)).isEqualTo(1_000_000);
        String code = TestServer.curl("-s", "-u", creds, "-C", "-", "-o", file.toString(), "-w", "%{http_code}", url);
        assertThat(code).isEqualTo("206");
        HttpResponse<byte[]> full = get();
        assertThat(Files.readAllBytes(file)).isEqualTo(full.body());
    }
}
