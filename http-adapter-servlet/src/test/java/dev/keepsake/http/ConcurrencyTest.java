package dev.keepsake.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.testfixtures.DirectoryPart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** One operation at a time: 20 concurrent backup POSTs give exactly one 202; uploads during a backup give 409. */
class ConcurrencyTest {

    @TempDir
    Path tmp;
    DirectoryPart part;
    MaintenanceEngine engine;
    TestServer server;

    @BeforeEach
    void start() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "a");
        part = new DirectoryPart("volume:data", data);
        engine = TestServer.engine(tmp.resolve("work"), part);
        server = TestServer.start(engine, TestServer.config(tmp.resolve("uploads")).build(), false);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        engine.close();
    }

    @Test
    void twentyConcurrentBackupPostsGiveExactlyOne202AndNineteen409() throws Exception {
        server.status(); // authenticate once so that all 20 start together
        CountDownLatch release = part.holdBackups(); // the backup that wins keeps running until we have all answers
        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return server.post("/backup");
                }));
            }
            go.countDown();
            List<Integer> codes = new ArrayList<>();
            for (Future<HttpResponse<String>> f : answers) {
                HttpResponse<String> r = f.get();
                codes.add(r.statusCode());
                if (r.statusCode() == 409) {
                    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v ->
                            assertThat(v).startsWith("application/problem+json"));
                    assertThat(TestServer.JSON.readTree(r.body()).get("type").asText())
                            .isEqualTo("urn:keepsake:problem:operation-in-progress");
                }
            }
            assertThat(codes).filteredOn(c -> c == 202).hasSize(1);
            assertThat(codes).filteredOn(c -> c == 409).hasSize(19);
            JsonNode running = server.status();
            assertThat(running.get("running").asBoolean()).isTrue();
            assertThat(running.get("backup").get("statusMessage").asText()).isNotEqualTo("OK");
            assertThat(running.get("backup").get("endDate").isNull()).isTrue();
            assertThat(running.has("progress")).as("progress while running: %s", running).isTrue();
            assertThat(running.get("progress").get("operation").asText()).isEqualTo("backup");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        JsonNode s = server.awaitIdle();
        assertThat(s.get("backup").get("succeded").asBoolean()).isTrue();
    }

    @Test
    void twentyConcurrentCurlProcessesAsInTheAcceptanceScriptGetOne202() throws Exception {
        server.status();
        CountDownLatch release = part.holdBackups();
        List<Process> curls = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                curls.add(new ProcessBuilder("curl", "-s", "--max-time", "60", "-u",
                        TestServer.USER + ":" + TestServer.PASSWORD, "-o", "/dev/null", "-w", "%{http_code}",
                        "-X", "POST", server.base + "/backup").redirectError(ProcessBuilder.Redirect.DISCARD).start());
            }
            List<String> codes = new ArrayList<>();
            for (Process p : curls) {
                codes.add(new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII));
                assertThat(p.waitFor()).isZero();
            }
            assertThat(codes).filteredOn("202"::equals).hasSize(1);
            assertThat(codes).filteredOn("409"::equals).hasSize(19);
        } finally {
            release.countDown();
            curls.forEach(Process::destroy);
        }
        assertThat(server.awaitIdle().get("backup").get("succeded").asBoolean()).isTrue();
    }

    @Test
    void everyUploadRefusedWhileABackupRunsGetsIts409EvenWhileItsBodyIsStillBeingSent() throws Exception {
        // the server answers before reading the body; if it then closed with unread data, the kernel's reset could
        // destroy the answer on its way (seen as "header parser received no bytes"): it reads small bodies first
        Path body = tmp.resolve("body.tgz");
        byte[] bytes = new byte[(int) (1.5 * 1024 * 1024)];
        new java.util.Random(7).nextBytes(bytes);
        Files.write(body, bytes);
        CountDownLatch release = part.holdBackups();
        try {
            assertThat(server.post("/backup").statusCode()).isEqualTo(202);
            part.started().await();
            for (int i = 0; i < 30; i++) {
                assertThat(server.upload(body).statusCode()).as("upload %d", i).isEqualTo(409);
            }
        } finally {
            release.countDown();
        }
        server.awaitIdle();
    }

    @Test
    void anUploadWhileABackupRunsIs409AndLeavesNoTempFile() throws Exception {
        server.backupNow();
        Path archive = tmp.resolve("b.tgz");
        server.client.send(server.request("/backup").GET().build(), HttpResponse.BodyHandlers.ofFile(archive));

        CountDownLatch release = part.holdBackups();
        try {
            assertThat(server.post("/backup").statusCode()).isEqualTo(202);
            part.started().await();
            HttpResponse<String> r = server.upload(archive);
            assertThat(r.statusCode()).isEqualTo(409);
            assertThat(TestServer.JSON.readTree(r.body()).get("detail").asText()).contains("running");
            assertThat(TestServer.filesIn(tmp.resolve("uploads"))).isEmpty();
        } finally {
            release.countDown();
        }
        server.awaitIdle();
        // and afterwards the same upload is accepted: the lock was not kept
        assertThat(server.upload(archive).statusCode()).isEqualTo(202);
        JsonNode s = server.awaitIdle();
        assertThat(s.get("restore").get("succeded").asBoolean()).as(s.toString()).isTrue();
    }
}
