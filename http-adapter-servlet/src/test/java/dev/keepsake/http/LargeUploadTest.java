package dev.keepsake.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 2 GiB upload, generated on the fly by the client, to a server in a child JVM limited to a 64 MiB heap: it is
 * streamed to disk (202), the engine then refuses it as a non-archive, and the server survives with its heap limit.
 * A body over the limit is refused with 413.
 */
class LargeUploadTest {

    private static final long TWO_GIB = 2L * 1024 * 1024 * 1024;
    private static final long LIMIT = TWO_GIB + 1024 * 1024;

    @TempDir
    Path tmp;
    Process child;
    BufferedReader childOut;
    OutputStream childIn;
    URI base;
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void fork() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-cp", cp, ForkedServerMain.class.getName(),
                tmp.resolve("work").toString(), tmp.resolve("uploads").toString(), Long.toString(LIMIT))
                .redirectError(tmp.resolve("child.err").toFile()).start();
        childOut = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        childIn = child.getOutputStream();
        String line = childOut.readLine();
        assertThat(line).as("child start (see %s)", tmp.resolve("child.err")).startsWith("PORT ");
        base = URI.create("http://127.0.0.1:" + line.substring(5).strip() + "/api/maintenance/db");
    }

    @AfterEach
    void stop() throws Exception {
        childIn.close();
        if (!child.waitFor(30, TimeUnit.SECONDS)) {
            child.destroyForcibly();
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(10))
                .header("Authorization", TestServer.basic(TestServer.USER, TestServer.PASSWORD));
    }

    private JsonNode status() throws Exception {
        return TestServer.JSON.readTree(client.send(request("").GET().build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private long[] heap() throws IOException {
        childIn.write("HEAP\n".getBytes(StandardCharsets.UTF_8));
        childIn.flush();
        String[] f = childOut.readLine().split(" ");
        return new long[]{Long.parseLong(f[1]), Long.parseLong(f[2])};
    }

    @Test
    void aTwoGibUploadStreamsToDiskInA64MibHeap() throws Exception {
        byte[] head = ("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.tgz\"\r\n"
                + "Content-Type: application/gzip\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = "\r\n--XyZ--\r\n".getBytes(StandardCharsets.US_ASCII);
        HttpRequest req = request("/restore").header("Content-Type", "multipart/form-data; boundary=XyZ")
                .POST(HttpRequest.BodyPublishers.concat(
                        HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> new RestoreUploadTest.GeneratedUpload(new byte[0], TWO_GIB)),
                                TWO_GIB),
                        HttpRequest.BodyPublishers.ofByteArray(tail))).build();
        long start = System.nanoTime();
        HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(TestServer.JSON.readTree(r.body()).get("uploadedBytes").asLong()).isEqualTo(TWO_GIB);
        System.out.printf("2 GiB upload stored in %.1f s (%.0f MiB/s)%n", seconds, 2048 / seconds);

        JsonNode s = status();
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (s.get("running").asBoolean() && System.nanoTime() < end) {
            Thread.sleep(200);
            s = status();
        }
        assertThat(s.get("running").asBoolean()).isFalse();
        assertThat(s.get("restore").get("succeded").asBoolean()).as("not an archive").isFalse();
        assertThat(child.isAlive()).isTrue();
        long[] heap = heap();
        System.out.printf("child heap: peak %d MiB of max %d MiB%n", heap[0] >> 20, heap[1] >> 20);
        assertThat(heap[1]).isLessThanOrEqualTo(64L * 1024 * 1024);
        assertThat(TestServer.filesIn(tmp.resolve("uploads"))).as("temp file removed by the engine").isEmpty();
    }

    @Test
    void aLargeBackupIsDownloadedAndResumedFromA64MibHeap() throws Exception {
        // 256 MiB of incompressible data in the child's data directory
        Path big = tmp.resolve("work").resolve("data").resolve("big.bin");
        try (OutputStream out = java.nio.file.Files.newOutputStream(big)) {
            java.util.Random r = new java.util.Random(5);
            byte[] buf = new byte[1 << 20];
            for (int i = 0; i < 256; i++) {
                r.nextBytes(buf);
                out.write(buf);
            }
        }
        HttpResponse<String> started = client.send(request("/backup").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(started.statusCode()).isEqualTo(202);
        JsonNode s = status();
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (s.get("running").asBoolean() && System.nanoTime() < end) {
            Thread.sleep(200);
            s = status();
        }
        assertThat(s.get("backup").get("succeded").asBoolean()).as(s.toString()).isTrue();

        Path file = tmp.resolve("download.tgz");
        long start = System.nanoTime();
        HttpResponse<Path> dl = client.send(request("/backup").GET().build(), HttpResponse.BodyHandlers.ofFile(file));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(dl.statusCode()).isEqualTo(200);
        long size = java.nio.file.Files.size(file);
        assertThat(size).isGreaterThan(256L << 20);
        assertThat(dl.headers().firstValue("ETag")).contains("\"" + EndToEndTest.sha256(file) + "\"");
        System.out.printf("%d MiB backup downloaded in %.1f s (%.0f MiB/s)%n", size >> 20, seconds,
                (size >> 20) / seconds);
        HttpResponse<byte[]> tailPart = client.send(request("/backup").header("Range", "bytes=-1000").GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(tailPart.statusCode()).isEqualTo(206);
        assertThat(tailPart.body()).hasSize(1000);
        assertThat(child.isAlive()).isTrue();
        long[] heap = heap();
        System.out.printf("child heap after download: peak %d MiB of max %d MiB%n", heap[0] >> 20, heap[1] >> 20);
        assertThat(heap[1]).isLessThanOrEqualTo(64L * 1024 * 1024);
    }

    @Test
    void anUploadOverTheLimitIs413() throws Exception {
        String answer = TestServer.raw(base.getPort(), TestServer.restoreHead(base.getPort(), LIMIT + 1));
        assertThat(answer).startsWith("HTTP/1.1 413").contains("urn:keepsake:problem:upload-too-large");
        assertThat(List.of(status().get("running").asBoolean())).containsExactly(false);
        assertThat(TestServer.filesIn(tmp.resolve("uploads"))).isEmpty();
    }
}
