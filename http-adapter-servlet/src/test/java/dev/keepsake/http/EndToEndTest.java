package dev.keepsake.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.volume.VolumePart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole flow over HTTPS with a self-signed certificate, against a real Jetty and a real engine with the real
 * volume part ({@code volume-archiver}): status, backup, poll, download, change the data, upload the download, poll,
 * data back. Once with {@code java.net.http.HttpClient}, once with the seed's own curl commands.
 */
class EndToEndTest {

    @TempDir
    Path tmp;
    Path data;
    MaintenanceEngine engine;
    TestServer server;

    @BeforeEach
    void start() throws Exception {
        data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("hello.txt"), "hello, keepsake\n");
        Files.createDirectories(data.resolve("sub/deeper"));
        byte[] blob = new byte[3 * 1024 * 1024 + 17];
        new java.util.Random(7).nextBytes(blob);
        Files.write(data.resolve("sub/deeper/blob.bin"), blob);
        VolumePart volume = VolumePart.builder().name("data").path(data).spoolDirectory(tmp).build();
        engine = TestServer.engine(tmp.resolve("work"), b -> b.part(volume));
        server = TestServer.start(engine, TestServer.config(tmp.resolve("uploads")).build(), true);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        engine.close();
    }

    @Test
    void httpClientBacksUpDownloadsAndRestoresOverHttps() throws Exception {
        JsonNode before = server.status();
        assertThat(before.get("running").asBoolean()).isFalse();
        assertThat(before.get("backup").get("succeded").asBoolean()).isFalse();
        assertThat(before.get("backup").get("id").isNull()).isTrue();
        assertThat(before.get("restore").get("statusMessage").asText()).isEqualTo("No restore yet");
        Map<String, String> original = snapshot(data);

        HttpResponse<String> started = server.post("/backup");
        assertThat(started.statusCode()).isEqualTo(202);
        assertThat(started.headers().firstValue("Location")).contains("/api/maintenance/db");
        String id = TestServer.JSON.readTree(started.body()).get("id").asText();
        assertThat(id).matches("1\\.0\\.73_\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

        JsonNode done = server.awaitStatus(s -> !s.get("running").asBoolean()
                && id.equals(s.get("backup").get("id").asText()));
        JsonNode b = done.get("backup");
        assertThat(b.get("succeded").asBoolean()).isTrue();
        assertThat(b.get("statusMessage").asText()).isEqualTo("OK");
        assertThat(b.get("startDate").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(b.get("endDate").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

        Path download = tmp.resolve("download.tgz");
        HttpResponse<Path> dl = server.client.send(server.request("/backup").GET().build(),
                HttpResponse.BodyHandlers.ofFile(download));
        assertThat(dl.statusCode()).isEqualTo(200);
        assertThat(dl.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/gzip"));
        assertThat(dl.headers().firstValueAsLong("Content-Length")).hasValue(Files.size(download));
        assertThat(dl.headers().firstValue("ETag")).contains("\"" + sha256(download) + "\"");
        assertThat(dl.headers().firstValue("Content-Disposition")).hasValueSatisfying(v ->
                assertThat(v).matches("attachment; filename=\"[A-Za-z0-9._-]*1\\.0\\.73_[0-9T.Z_-]+\\.tgz\""));
        assertThat(dl.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(gzipMagic(download)).isTrue();

        // change the data, then restore the download
        Files.writeString(data.resolve("hello.txt"), "changed after the backup\n");
        Files.writeString(data.resolve("new-file.txt"), "not in the backup\n");
        assertThat(snapshot(data)).isNotEqualTo(original);

        HttpResponse<String> restore = server.upload(download);
        assertThat(restore.statusCode()).as(restore.body()).isEqualTo(202);
        assertThat(restore.headers().firstValue("Location")).contains("/api/maintenance/db");
        JsonNode accepted = TestServer.JSON.readTree(restore.body());
        assertThat(accepted.get("operation").asText()).isEqualTo("restore");
        assertThat(accepted.get("uploadedBytes").asLong()).isEqualTo(Files.size(download));
        String restoreId = accepted.get("id").asText();

        JsonNode after = server.awaitStatus(s -> !s.get("running").asBoolean()
                && restoreId.equals(s.get("restore").get("id").asText()));
        assertThat(after.get("restore").get("succeded").asBoolean()).as(after.toString()).isTrue();
        assertThat(after.get("restore").get("statusMessage").asText()).isEqualTo("OK");
        assertThat(snapshot(data)).isEqualTo(original);
        assertThat(TestServer.filesIn(tmp.resolve("uploads"))).as("upload temp files").isEmpty();
    }

    @Test
    void theSeedsCurlCommandsWorkVerbatimOverHttps() throws Exception {
        String host = server.base.getScheme() + "://" + server.base.getAuthority();
        String creds = TestServer.USER + ":" + TestServer.PASSWORD;
        Map<String, String> original = snapshot(data);

        // 1. status, exactly as the seed documents it
        String status = TestServer.curl("-k", "-s", "--header", "Content-Type: application/json", "--request", "GET",
                "-u", creds, host + "/api/maintenance/db");
        JsonNode s0 = TestServer.JSON.readTree(status);
        assertThat(s0.get("running").isBoolean()).isTrue();
        assertThat(s0.has("backup")).isTrue();
        assertThat(s0.has("restore")).isTrue();

        // 2. without credentials: 401 with a Basic challenge
        String unauth = TestServer.curl("-k", "-s", "-o", "/dev/null", "-D", "-", host + "/api/maintenance/db");
        assertThat(unauth).startsWith("HTTP/1.1 401");
        assertThat(unauth).containsIgnoringCase("WWW-Authenticate: Basic realm=\"keepsake\"");

        // 3. start a backup: 202
        String code = TestServer.curl("-k", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--request", "POST",
                "-u", creds, host + "/api/maintenance/db/backup");
        assertThat(code).isEqualTo("202");
        JsonNode s1 = server.awaitStatus(s -> !s.get("running").asBoolean() && s.get("backup").get("succeded").asBoolean());
        String id = s1.get("backup").get("id").asText();
        assertThat(id).matches("^[0-9][^_]*_[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$");

        // 4. download, as the seed does
        Path file = tmp.resolve("connectware-db-backup.tgz");
        TestServer.curl("-k", "--request", "GET", "-u", creds, host + "/api/maintenance/db/backup",
                "--output", file.toString(), "-s");
        assertThat(gzipMagic(file)).isTrue();
        Process tar = new ProcessBuilder("tar", "tzf", file.toString()).redirectErrorStream(true).start();
        String listing = new String(tar.getInputStream().readAllBytes());
        assertThat(tar.waitFor()).as(listing).isZero();
        assertThat(listing).contains("hello.txt");

        // 5. change the data, restore with the seed's multipart upload
        Files.writeString(data.resolve("hello.txt"), "changed\n");
        code = TestServer.curl("-k", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--request", "POST",
                "-u", creds, "-F", "file=@" + file, host + "/api/maintenance/db/restore");
        assertThat(code).isEqualTo("202");
        JsonNode s2 = server.awaitStatus(s -> !s.get("running").asBoolean() && !s.get("restore").get("id").isNull());
        assertThat(s2.get("restore").get("succeded").asBoolean()).as(s2.toString()).isTrue();
        assertThat(snapshot(data)).isEqualTo(original);
        assertThat(TestServer.filesIn(tmp.resolve("uploads"))).isEmpty();
    }

    /** Relative path → SHA-256 of every file under {@code dir}. */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(p).toString(), sha256(p));
            }
        }
        return m;
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean gzipMagic(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }
}
