package dev.keepsake.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.postgres.PostgresPart;
import dev.keepsake.testkit.Fixtures;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.TestDatabase;
import dev.keepsake.volume.VolumePart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's curl flow over HTTPS against the real PostgreSQL part (the pagila sample database on a real server)
 * and the real volume part: backup → download (resumed with Range) → damage the database and the volume → restore
 * the download with {@code curl -F file=@…} → everything is back.
 */
@ExtendWith(PostgresExtension.class)
class PostgresEndToEndIT {

    @TempDir
    Path tmp;

    private static String fingerprint(TestDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "select (select count(*) from film) || '/' || (select count(*) from payment) || '/' "
                        + "|| (select count(*) from rental) || '/' "
                        + "|| (select md5(string_agg(film_id || ':' || title, ',' order by film_id)) from film)")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void curlFlowRestoresTheDatabaseAndTheVolumeOverHttps(TestDatabase db) throws Exception {
        Fixtures.loadPagila(db);
        Path uploadsDir = Files.createDirectories(tmp.resolve("volume"));
        Files.writeString(uploadsDir.resolve("invoice-1.txt"), "invoice one\n");
        String dbBefore = fingerprint(db);
        Map<String, String> volumeBefore = EndToEndTest.snapshot(uploadsDir);

        PostgresPart pg = PostgresPart.builder().dataSource(db.dataSource()).build();
        VolumePart volume = VolumePart.builder().name("uploads").path(uploadsDir).spoolDirectory(tmp).build();
        try (MaintenanceEngine engine = TestServer.engine(tmp.resolve("work"), b -> b.part(pg).part(volume));
             TestServer server = TestServer.start(engine, TestServer.config(tmp.resolve("upload-tmp")).build(), true)) {
            String host = server.base.getScheme() + "://" + server.base.getAuthority();
            String creds = TestServer.USER + ":" + TestServer.PASSWORD;

            String code = TestServer.curl("-k", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--request", "POST",
                    "-u", creds, host + "/api/maintenance/db/backup");
            assertThat(code).isEqualTo("202");
            JsonNode s1 = server.awaitIdle();
            assertThat(s1.get("backup").get("succeded").asBoolean()).as(s1.toString()).isTrue();

            // download in two halves (a cut download resumed with Range), compare with the ETag
            HttpResponse<Void> head = server.client.send(server.request("/backup")
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            long size = head.headers().firstValueAsLong("Content-Length").orElseThrow();
            String etag = head.headers().firstValue("ETag").orElseThrow();
            Path file = tmp.resolve("connectware-db-backup.tgz");
            TestServer.curl("-k", "-s", "-u", creds, "-r", "0-" + (size / 2), "-o", file.toString(),
                    host + "/api/maintenance/db/backup");
            TestServer.curl("-k", "-s", "-u", creds, "-C", "-", "-o", file.toString(), host + "/api/maintenance/db/backup");
            assertThat(Files.size(file)).isEqualTo(size);
            assertThat("\"" + EndToEndTest.sha256(file) + "\"").isEqualTo(etag);

            // damage both parts
            db.execute("delete from payment; update film set title = 'GONE'");
            Files.writeString(uploadsDir.resolve("invoice-1.txt"), "tampered\n");
            Files.writeString(uploadsDir.resolve("stray.txt"), "stray\n");
            assertThat(fingerprint(db)).isNotEqualTo(dbBefore);

            code = TestServer.curl("-k", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--request", "POST",
                    "-u", creds, "-F", "file=@" + file, host + "/api/maintenance/db/restore");
            assertThat(code).isEqualTo("202");
            JsonNode s2 = server.awaitStatus(s -> !s.get("running").asBoolean() && !s.get("restore").get("id").isNull());
            assertThat(s2.get("restore").get("succeded").asBoolean()).as(s2.toString()).isTrue();
            assertThat(fingerprint(db)).isEqualTo(dbBefore);
            assertThat(EndToEndTest.snapshot(uploadsDir)).isEqualTo(volumeBefore);
            assertThat(TestServer.filesIn(tmp.resolve("upload-tmp"))).isEmpty();
        }
    }
}
