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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /api/maintenance/db/restore}: every refusal, each leaving no temp file and no lock behind. */
class RestoreUploadTest {

    private static final long LIMIT = 1024 * 1024;

    @TempDir
    Path tmp;
    Path data;
    Path uploads;
    MaintenanceEngine engine;
    TestServer server;

    @BeforeEach
    void start() throws Exception {
        data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "original");
        uploads = tmp.resolve("uploads");
        engine = TestServer.engine(tmp.resolve("work"), new DirectoryPart("volume:data", data));
        server = TestServer.start(engine, TestServer.config(uploads).maxUploadSize(LIMIT).maxParts(4).build(), false);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        engine.close();
    }

    private HttpResponse<String> post(String contentType, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = server.request("/restore").POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return server.client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Asserts a problem answer and that nothing was left behind. */
    private JsonNode assertProblem(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v ->
                assertThat(v).startsWith("application/problem+json"));
        JsonNode p = TestServer.JSON.readTree(r.body());
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("type").asText()).startsWith("urn:keepsake:problem:");
        assertThat(p.get("instance").asText()).isEqualTo("/api/maintenance/db/restore");
        assertThat(p.get("detail").asText()).isNotBlank().doesNotContain(tmp.toString()).doesNotContain("Exception")
                .doesNotContain("\tat ");
        assertNothingLeftBehind();
        return p;
    }

    private void assertNothingLeftBehind() throws Exception {
        assertThat(TestServer.filesIn(uploads)).as("temp files").isEmpty();
        JsonNode s = server.status();
        assertThat(s.get("running").asBoolean()).as("lock").isFalse();
        assertThat(Files.readString(data.resolve("a.txt"))).isEqualTo("original");
    }

    private static String multipart(String boundary, Map<String, String> fields) {
        StringBuilder b = new StringBuilder();
        fields.forEach((name, value) -> b.append("--").append(boundary).append("\r\n")
                .append("Content-Disposition: form-data; name=\"").append(name).append("\"; filename=\"x.tgz\"\r\n\r\n")
                .append(value).append("\r\n"));
        return b.append("--").append(boundary).append("--\r\n").toString();
    }

    @Test
    void aBodyThatIsNotMultipartIs415() throws Exception {
        JsonNode p = assertProblem(post("application/json", "{}"), 415);
        assertThat(p.get("detail").asText()).contains("multipart/form-data").contains("'file'");
        assertProblem(post(null, "raw bytes"), 415);
        assertProblem(post("application/octet-stream", "raw bytes"), 415);
    }

    @Test
    void multipartWithoutAFilePartIs400() throws Exception {
        JsonNode p = assertProblem(post("multipart/form-data; boundary=XyZ", multipart("XyZ", Map.of("other", "abc"))), 400);
        assertThat(p.get("detail").asText()).contains("no part named 'file'");
        // the seed's curl form, with another field name
        String code = TestServer.curl("-s", "-o", "/dev/null", "-w", "%{http_code}", "-u",
                TestServer.USER + ":" + TestServer.PASSWORD, "-X", "POST", "-F", "other=@" + data.resolve("a.txt"),
                server.base + "/restore");
        assertThat(code).isEqualTo("400");
        assertNothingLeftBehind();
    }

    @Test
    void malformedMultipartBodiesAre400() throws Exception {
        assertProblem(post("multipart/form-data", "no boundary parameter"), 400);
        assertProblem(post("multipart/form-data; boundary=XyZ", "no parts at all"), 400);
        String truncated = multipart("XyZ", Map.of("file", "abcdef"));
        assertThat(assertProblem(post("multipart/form-data; boundary=XyZ",
                truncated.substring(0, truncated.length() - 10)), 400).get("detail").asText()).contains("incomplete");
        assertProblem(post("multipart/form-data; boundary=XyZ", multipart("XyZ", Map.of("file", ""))), 400);
        String twoFiles = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nA\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nB\r\n--XyZ--\r\n";
        assertThat(assertProblem(post("multipart/form-data; boundary=XyZ", twoFiles), 400).get("detail").asText())
                .contains("more than one");
    }

    @Test
    void tooManyPartsIs413() throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            b.append("--XyZ\r\nContent-Disposition: form-data; name=\"f").append(i).append("\"\r\n\r\nv\r\n");
        }
        b.append("--XyZ--\r\n");
        assertThat(assertProblem(post("multipart/form-data; boundary=XyZ", b.toString()), 413).get("detail").asText())
                .contains("more than 4 multipart parts");
    }

    @Test
    void anUploadOverTheLimitWithContentLengthIs413BeforeTheBodyIsRead() throws Exception {
        Path big = tmp.resolve("big.tgz");
        byte[] bytes = new byte[(int) LIMIT + 1];
        new Random(1).nextBytes(bytes);
        Files.write(big, bytes);
        // the announced length alone is refused, before a byte of the body is sent
        String answer = TestServer.raw(server.base.getPort(), TestServer.restoreHead(server.base.getPort(), LIMIT + 1));
        assertThat(answer).startsWith("HTTP/1.1 413").contains("application/problem+json")
                .contains("exceeds the limit of " + LIMIT + " bytes");
        assertNothingLeftBehind();
        // curl sends Expect: 100-continue for such a body and gets the 413 without sending it
        String code = TestServer.curl("-s", "-o", "/dev/null", "-w", "%{http_code}", "-u",
                TestServer.USER + ":" + TestServer.PASSWORD, "-F", "file=@" + big, server.base + "/restore");
        assertThat(code).isEqualTo("413");
        assertNothingLeftBehind();
    }

    @Test
    void aStreamedUploadWithoutLengthIsCutAtTheLimit() throws Exception {
        byte[] head = ("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.tgz\"\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        long total = 4 * LIMIT;
        HttpRequest req = server.request("/restore").header("Content-Type", "multipart/form-data; boundary=XyZ")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new GeneratedUpload(head, total))).build();
        try {
            HttpResponse<String> r = server.client.send(req, HttpResponse.BodyHandlers.ofString());
            assertProblem(r, 413);
        } catch (IOException e) {
            // The server answered 413 and closed the connection while the client was still sending; the client
            // may see the reset before the answer. What matters is below.
            assertNothingLeftBehind();
        }
    }

    @Test
    void aFileThatIsNotABackupIsAcceptedThenRefusedByTheEngineChangingNothing() throws Exception {
        Path junk = tmp.resolve("junk.tgz");
        Files.writeString(junk, "this is not a backup archive");
        HttpResponse<String> r = server.upload(junk);
        assertThat(r.statusCode()).isEqualTo(202);
        JsonNode s = server.awaitIdle();
        JsonNode restore = s.get("restore");
        assertThat(restore.get("succeded").asBoolean()).isFalse();
        assertThat(restore.get("statusMessage").asText()).isNotBlank().isNotEqualTo("OK");
        assertThat(restore.get("endDate").isNull()).isFalse();
        assertNothingLeftBehind();
    }

    @Test
    void anUnusableTempDirectoryIs507WithoutNamingThePath() throws Exception {
        DirectoryPart.deleteTree(uploads);
        Files.writeString(uploads, "a file where the upload directory should be");
        try {
            HttpResponse<String> r = post("multipart/form-data; boundary=XyZ", multipart("XyZ", Map.of("file", "abc")));
            assertThat(r.statusCode()).isEqualTo(507);
            JsonNode p = TestServer.JSON.readTree(r.body());
            assertThat(p.get("type").asText()).isEqualTo("urn:keepsake:problem:insufficient-storage");
            assertThat(p.get("detail").asText()).contains("temporary directory").doesNotContain(tmp.toString());
            assertThat(server.status().get("running").asBoolean()).isFalse();
        } finally {
            Files.delete(uploads);
        }
    }

    /** A multipart head followed by deterministic bytes, never materialised. */
    static final class GeneratedUpload extends InputStream {
        private final byte[] head;
        private final long total;
        private long pos;

        GeneratedUpload(byte[] head, long total) {
            this.head = head;
            this.total = total;
        }

        @Override
        public int read() {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= total) {
                return -1;
            }
            int n = (int) Math.min(len, total - pos);
            for (int i = 0; i < n; i++, pos++) {
                b[off + i] = pos < head.length ? head[(int) pos] : (byte) (pos * 31 + (pos >>> 11));
            }
            return n;
        }
    }
}
