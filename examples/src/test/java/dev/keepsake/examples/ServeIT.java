package dev.keepsake.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code serve} as a user runs it: a separate process on a free port with a fresh data directory, driven by the
 * README's curl commands (the seed's, verbatim but for port, password and download path), then restarted on the same
 * data directory.
 */
@ExtendWith(PostgresExtension.class)
class ServeIT {

    /** The seed's commands; {@code %s} = base URL, {@code admin} gets the password appended, the file is ours. */
    static final String STATUS = "curl -k --header \"Content-Type: application/json\" --request GET -u admin %s/api/maintenance/db";
    static final String START_BACKUP = "curl -k --request POST -u admin %s/api/maintenance/db/backup";
    static final String DOWNLOAD = "curl -k --request GET -u admin %s/api/maintenance/db/backup --output %s";
    static final String RESTORE = "curl -k --request POST -u admin -F \"file=@%s\" %s/api/maintenance/db/restore";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path tmp;

    private String password;

    record Curl(int exit, String body, int status) {
    }

    /** Runs a seed command through bash, with the password filled in, observing the HTTP status with -w. */
    private Curl curl(String command) throws Exception {
        String withPassword = command.replace("-u admin ", "-u 'admin:" + password + "' ");
        Path body = Files.createTempFile(tmp, "curl", ".out");
        Process p = new ProcessBuilder("bash", "-c", withPassword + " --silent --show-error --write-out '\\n%{http_code}'")
                .redirectErrorStream(true).redirectOutput(body.toFile()).start();
        int exit = p.waitFor();
        String out = Files.readString(body, StandardCharsets.UTF_8);
        int nl = out.lastIndexOf('\n');
        int status = nl >= 0 && out.substring(nl + 1).matches("\\d{3}") ? Integer.parseInt(out.substring(nl + 1)) : -1;
        return new Curl(exit, nl >= 0 ? out.substring(0, nl) : out, status);
    }

    /**
     * Polls the status until no operation runs (the POST that started it answered 202 only once it was running), then
     * asserts that the {@code section} ("backup" or "restore") succeeded, showing its message otherwise.
     */
    private JsonNode awaitSuccess(String base, String section) throws Exception {
        JsonNode s = awaitIdle(base);
        assertThat(s.path(section).path("succeded").asBoolean(false)).as(s.toString()).isTrue();
        return s;
    }

    /** Polls the status until no operation runs; returns that status. */
    private JsonNode awaitIdle(String base) throws Exception {
        Instant deadline = Instant.now().plus(OPERATION_TIMEOUT);
        JsonNode s;
        do {
            Curl c = curl(STATUS.formatted(base));
            assertThat(c.status()).as(c.body()).isEqualTo(200);
            s = JSON.readTree(c.body());
            if (!s.get("running").asBoolean()) {
                return s;
            }
            Thread.sleep(300);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError("an operation still runs after " + OPERATION_TIMEOUT + ": " + s);
    }

    /** Connects to the demo's embedded database as the banner says (user postgres, password file if any). */
    private Connection connect(String jdbcUrl) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        Path passwordFile = tmp.resolve("data/postgres/superuser.password");
        if (Files.exists(passwordFile)) {
            p.setProperty("password", Files.readString(passwordFile).strip());
        }
        return DriverManager.getConnection(jdbcUrl, p);
    }

    private List<String> customerEmails(String jdbcUrl) throws Exception {
        try (Connection c = connect(jdbcUrl); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT email FROM customer ORDER BY email")) {
            List<String> emails = new java.util.ArrayList<>();
            while (rs.next()) {
                emails.add(rs.getString(1));
            }
            return emails;
        }
    }

    @Test
    void seedCurlCommandsBackUpDownloadAndRestoreAndTheDemoSurvivesARestart() throws Exception {
        Path dataDir = tmp.resolve("data");
        Path keyFile = tmp.resolve("archive.key");
        Path download = tmp.resolve("connectware-db-backup.tgz");
        String firstBackupId;
        byte[] firstDownload;

        try (ServeProcess serve = ServeProcess.start(dataDir, keyFile, Map.of(), tmp.resolve("serve-1.log"))) {
            password = serve.find("\n {6}([A-Za-z0-9-]{20,})\n");
            String base = "https://localhost:" + serve.port;
            String jdbcUrl = serve.find("database:\\s+(jdbc:postgresql://\\S+)");
            assertThat(serve.output()).contains(STATUS.formatted(base), START_BACKUP.formatted(base),
                    DOWNLOAD.formatted(base, "/tmp/connectware-db-backup.tgz"),
                    RESTORE.formatted("/tmp/connectware-db-backup.tgz", base));
            assertThat(customerEmails(jdbcUrl)).hasSize(3);

            // 1 status
            Curl status = curl(STATUS.formatted(base));
            assertThat(status.status()).isEqualTo(200);
            assertThat(JSON.readTree(status.body()).get("running").asBoolean()).isFalse();

            // 2 start a backup, poll until it succeeded
            assertThat(curl(START_BACKUP.formatted(base)).status()).isEqualTo(202);
            JsonNode done = awaitSuccess(base, "backup");
            firstBackupId = done.get("backup").get("id").asText();
            assertThat(firstBackupId).startsWith("1.3.0_");

            // 3 download
            Curl dl = curl(DOWNLOAD.formatted(base, download));
            assertThat(dl.status()).isEqualTo(200);
            firstDownload = Files.readAllBytes(download);
            try (GZIPInputStream gz = new GZIPInputStream(Files.newInputStream(download))) {
                assertThat(gz.readAllBytes()).isNotEmpty();
            }

            // change data after the backup: a row and a file
            try (Connection c = connect(jdbcUrl); Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO customer (name, email) VALUES ('Mallory', 'mallory@example.org')");
            }
            Path uploads = dataDir.resolve("volumes/uploads");
            Files.writeString(uploads.resolve("after-backup.txt"), "should disappear");
            assertThat(customerEmails(jdbcUrl)).contains("mallory@example.org");

            // 4 upload it to restore, poll until it succeeded: data back as at the backup
            assertThat(curl(RESTORE.formatted(download, base)).status()).isEqualTo(202);
            awaitSuccess(base, "restore");
            assertThat(customerEmails(jdbcUrl)).hasSize(3).doesNotContain("mallory@example.org");
            assertThat(uploads.resolve("after-backup.txt")).doesNotExist();
            assertThat(uploads.resolve("README.txt")).isRegularFile();

            // graceful stop on SIGTERM: the embedded PostgreSQL is shut down too
            serve.stop();
            assertThat(dataDir.resolve("postgres/pgdata/postmaster.pid")).doesNotExist();
            assertThat(serve.output()).doesNotContain("Exception");
        }

        // restart on the same data directory: same password (only its hash was kept), same backup served
        try (ServeProcess serve = ServeProcess.start(dataDir, keyFile, Map.of(), tmp.resolve("serve-2.log"))) {
            String base = "https://localhost:" + serve.port;
            assertThat(serve.output()).contains("the password printed at the first start")
                    .doesNotContain(password);
            Curl status = curl(STATUS.formatted(base));
            assertThat(status.status()).isEqualTo(200);
            JsonNode s = JSON.readTree(status.body());
            assertThat(s.get("backup").get("id").asText()).isEqualTo(firstBackupId);
            assertThat(s.get("restore").get("succeded").asBoolean()).isTrue();

            Path again = tmp.resolve("again.tgz");
            assertThat(curl(DOWNLOAD.formatted(base, again)).status()).isEqualTo(200);
            assertThat(Files.readAllBytes(again)).isEqualTo(firstDownload);
        }
    }

    @Test
    void wrongPasswordIsRefusedAndTheCertificateIsKeptAcrossRestarts() throws Exception {
        Path dataDir = tmp.resolve("data");
        Path keyFile = tmp.resolve("archive.key");
        password = "env-Secret-42";
        Map<String, String> env = Map.of(AdminPassword.ENV, password);
        String firstFingerprint;
        try (ServeProcess serve = ServeProcess.start(dataDir, keyFile, env, tmp.resolve("serve-1.log"))) {
            firstFingerprint = serve.find("SHA-256 ([0-9A-F:]{95})");
            String base = "https://localhost:" + serve.port;
            assertThat(serve.output()).contains("password from " + AdminPassword.ENV);
            assertThat(curl(STATUS.formatted(base)).status()).isEqualTo(200);
            String saved = password;
            password = "wrong";
            assertThat(curl(STATUS.formatted(base)).status()).isEqualTo(401);
            password = saved;
        }
        assertThat(dataDir.resolve(AdminPassword.FILE_NAME)).doesNotExist();
        try (ServeProcess serve = ServeProcess.start(dataDir, keyFile, env, tmp.resolve("serve-2.log"))) {
            assertThat(serve.find("SHA-256 ([0-9A-F:]{95})")).isEqualTo(firstFingerprint);
        }
    }

    @Test
    void backupTakenAsRelease100IsRefusedByTheCurrentReleaseNaming129AsDocumented() throws Exception {
        Path keyFile = tmp.resolve("archive.key");
        Path old = tmp.resolve("demo-1.0.tgz");
        password = "barrier-Secret-3";
        Map<String, String> env = Map.of(AdminPassword.ENV, password);
        try (ServeProcess serve = ServeProcess.start(tmp.resolve("data-1.0"), keyFile, env, tmp.resolve("old.log"),
                "--product-version", "1.0.0")) {
            String base = "https://localhost:" + serve.port;
            assertThat(serve.output()).contains("(demo 1.0.0) is running");
            assertThat(curl(START_BACKUP.formatted(base)).status()).isEqualTo(202);
            assertThat(awaitSuccess(base, "backup").get("backup").get("id").asText()).startsWith("1.0.0_");
            assertThat(curl(DOWNLOAD.formatted(base, old)).status()).isEqualTo(200);
        }
        try (ServeProcess serve = ServeProcess.start(tmp.resolve("data"), keyFile, env, tmp.resolve("current.log"))) {
            String base = "https://localhost:" + serve.port;
            assertThat(curl(RESTORE.formatted(old, base)).status()).isEqualTo(202);
            JsonNode s = awaitIdle(base);
            JsonNode restore = s.get("restore");
            assertThat(restore.get("succeded").asBoolean()).as(s.toString()).isFalse();
            assertThat(restore.get("statusMessage").asText()).contains("1.0.0").contains("1.2.9");
        }
    }

    @Test
    void serveWithJdbcUrlAndVolumeServesThatDatabaseAndASecondServeOnTheSameDataDirectoryIsRefused(
            TestDatabase db) throws Exception {
        db.execute("CREATE TABLE item (id int PRIMARY KEY); INSERT INTO item VALUES (1), (2);");
        Path files = Files.createDirectories(tmp.resolve("files"));
        Files.writeString(files.resolve("a.txt"), "a");
        Path dataDir = tmp.resolve("data");
        Path keyFile = tmp.resolve("archive.key");
        Path download = tmp.resolve("real.tgz");
        password = "real-Secret-7";
        Properties props = db.connectionProperties();
        Map<String, String> env = new java.util.HashMap<>(Map.of(AdminPassword.ENV, password));
        if (props.getProperty("password") != null) {
            env.put(DatabaseOptions.ENV_PASSWORD, props.getProperty("password"));
        }
        try (ServeProcess serve = ServeProcess.start(dataDir, keyFile, env, tmp.resolve("serve.log"),
                "--jdbc-url", db.jdbcUrl(), "--db-user", props.getProperty("user"), "--volume", "files=" + files)) {
            String base = "https://localhost:" + serve.port;
            assertThat(serve.output()).contains("database:       " + db.jdbcUrl())
                    .contains("volume:         files = " + files)
                    .doesNotContain("embedded PostgreSQL");
            assertThat(dataDir.resolve("postgres")).doesNotExist();

            CliRun second = CliRun.run(Map.of(AdminPassword.ENV, "x"), "serve", "--port", "0",
                    "--data-dir", dataDir.toString(), "--key-file", keyFile.toString());
            assertThat(second.code()).as(second.toString()).isEqualTo(1);
            assertThat(second.err()).contains("another keepsake serve is using the data directory");

            assertThat(curl(START_BACKUP.formatted(base)).status()).isEqualTo(202);
            awaitSuccess(base, "backup");
            assertThat(curl(DOWNLOAD.formatted(base, download)).status()).isEqualTo(200);
            db.execute("INSERT INTO item VALUES (3)");
            Files.delete(files.resolve("a.txt"));

            assertThat(curl(RESTORE.formatted(download, base)).status()).isEqualTo(202);
            awaitSuccess(base, "restore");
            try (Connection c = db.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM item")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
            assertThat(files.resolve("a.txt")).hasContent("a");
        }
    }

}
