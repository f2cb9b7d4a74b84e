package dev.keepsake.http;

import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.testfixtures.DirectoryPart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that stalls or trickles cannot hold the upload (nor a thread, nor the lock) for longer than the idle
 * timeout / deadline: raw sockets send the headers, then nothing or a byte at a time.
 */
class UploadTimeoutTest {

    @TempDir
    Path tmp;
    Path uploads;
    MaintenanceEngine engine;
    TestServer server;

    @BeforeEach
    void start() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "a");
        uploads = tmp.resolve("uploads");
        engine = TestServer.engine(tmp.resolve("work"), new DirectoryPart("volume:data", data));
        server = TestServer.start(engine, TestServer.config(uploads)
                .uploadIdleTimeout(Duration.ofSeconds(2)).uploadDeadline(Duration.ofSeconds(4)).build(), false);
        server.status(); // authenticate once, so the raw requests below do not pay the PBKDF2 cost
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        engine.close();
    }

    private Socket openUpload(long contentLength) throws IOException {
        Socket s = new Socket("127.0.0.1", server.base.getPort());
        s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(30));
        String head = "POST /api/maintenance/db/restore HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + server.base.getPort() + "\r\n"
                + "Authorization: " + TestServer.basic(TestServer.USER, TestServer.PASSWORD) + "\r\n"
                + "Content-Type: multipart/form-data; boundary=XyZ\r\n"
                + "Content-Length: " + contentLength + "\r\n\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.tgz\"\r\n\r\n";
        OutputStream out = s.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    /** Reads what the server answered until it closes the connection (or 30 s pass). */
    private static String answer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder b = new StringBuilder();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                b.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (SocketException e) {
            // reset after the answer: what was read so far counts
            b.append("");
        }
        return b.toString();
    }

    private void assertCleanAfterwards() throws Exception {
        assertThat(TestServer.filesIn(uploads)).as("temp files").isEmpty();
        assertThat(server.status().get("running").asBoolean()).isFalse();
        // the lock is free: a backup starts at once
        assertThat(server.post("/backup").statusCode()).isEqualTo(202);
        server.awaitIdle();
    }

    @Test
    void aStalledUploadIsAnswered408AndDiscarded() throws Exception {
        try (Socket s = openUpload(10_000_000)) {
            s.getOutputStream().write(new byte[1000]); // some content, then silence
            s.getOutputStream().flush();
            String answer = answer(s); // returns when the server closes the connection
            assertThat(answer).startsWith("HTTP/1.1 408");
            assertThat(answer).contains("application/problem+json").contains("urn:keepsake:problem:upload-timeout");
        }
        assertCleanAfterwards();
    }

    @Test
    void aTricklingUploadIsCutOffAtTheDeadline() throws Exception {
        try (Socket s = openUpload(10_000_000)) {
            OutputStream out = s.getOutputStream();
            String answer = null;
            // one byte every 200 ms beats the 2 s idle timeout but not the 4 s deadline
            s.setSoTimeout(200);
            StringBuilder got = new StringBuilder();
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (answer == null && System.nanoTime() < giveUp) {
                try {
                    out.write('x');
                    out.flush();
                } catch (IOException e) {
                    s.setSoTimeout(5000);
                    answer = got + answer(s);
                    break;
                }
                try {
                    int n;
                    byte[] buf = new byte[4096];
                    while ((n = s.getInputStream().read(buf)) > 0) {
                        got.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    }
                    answer = got.toString(); // the server closed the connection
                } catch (SocketTimeoutException e) {
                    // nothing yet: keep trickling
                    answer = null;
                } catch (SocketException e) {
                    answer = got.toString();
                }
            }
            assertThat(answer).isNotNull().startsWith("HTTP/1.1 408");
            assertThat(answer).contains("took longer than the allowed PT4S");
        }
        assertCleanAfterwards();
    }
}
