package dev.keepsake.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.testfixtures.DirectoryPart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without asynchronous support (asyncSupported off, or a filter in front without it) uploads are read with blocking
 * I/O: they still work, and a stalled client is cut off by the container's idle timeout, leaving nothing behind.
 */
class BlockingUploadTest {

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
        server = TestServer.start(new MaintenanceServlet(engine, TestServer.config(uploads).build()), false, false,
                Duration.ofSeconds(1));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        engine.close();
    }

    @Test
    void aBlockingUploadRestores() throws Exception {
        server.backupNow();
        Path archive = tmp.resolve("b.tgz");
        server.client.send(server.request("/backup").GET().build(), HttpResponse.BodyHandlers.ofFile(archive));
        Files.writeString(data.resolve("a.txt"), "changed");
        assertThat(server.upload(archive).statusCode()).isEqualTo(202);
        JsonNode s = server.awaitIdle();
        assertThat(s.get("restore").get("succeded").asBoolean()).as(s.toString()).isTrue();
        assertThat(Files.readString(data.resolve("a.txt"))).isEqualTo("original");
        assertThat(TestServer.filesIn(uploads)).isEmpty();
    }

    @Test
    void aStalledBlockingUploadEndsAtTheContainersIdleTimeoutLeavingNothing() throws Exception {
        int port = server.base.getPort();
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write((TestServer.restoreHead(port, 1_000_000)
                    + "--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nsome bytes")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] answer = s.getInputStream().readAllBytes(); // until the server closes the connection
            String text = new String(answer, StandardCharsets.ISO_8859_1);
            assertThat(text).satisfiesAnyOf(t -> assertThat(t).isEmpty(), t -> assertThat(t).startsWith("HTTP/1.1 408"));
        } catch (java.net.SocketException e) {
            // connection reset by the server: also a cut-off
            assertThat(e).isNotNull();
        }
        assertThat(TestServer.filesIn(uploads)).isEmpty();
        assertThat(server.post("/backup").statusCode()).as("lock free").isEqualTo(202);
        server.awaitIdle();
    }
}
