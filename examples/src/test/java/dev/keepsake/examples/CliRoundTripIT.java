package dev.keepsake.examples;

import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import dev.keepsake.core.MaintenanceEngine;

import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operators' commands against a real PostgreSQL and real directories: the backup → verify → restore round trip
 * and every exit code (0, 1, 2, 3, 4) with its one-line reason.
 */
@ExtendWith(PostgresExtension.class)
class CliRoundTripIT {

    @TempDir
    Path tmp;

    private Map<String, String> env;
    private Path volume;

    @BeforeEach
    void setUp() throws Exception {
        env = Map.of("XDG_CONFIG_HOME", tmp.resolve("config").toString());
        volume = Files.createDirectories(tmp.resolve("files"));
        Files.createDirectories(volume.resolve("sub"));
        Files.writeString(volume.resolve("a.txt"), "alpha");
        Files.writeString(volume.resolve("sub/b.txt"), "beta");
    }

    private static void createData(TestDatabase db) throws SQLException {
        db.execute("CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL);"
                + "INSERT INTO item VALUES (1, 'one'), (2, 'two');");
    }

    private String[] args(TestDatabase db, String command, String... more) {
        List<String> a = new ArrayList<>(List.of(command, "--jdbc-url", db.jdbcUrl(),
                "--db-user", db.connectionProperties().getProperty("user")));
        String password = db.connectionProperties().getProperty("password");
        if (password != null) {
            a.addAll(List.of("--db-password", password));
        }
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    private static List<Integer> ids(TestDatabase db) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM item ORDER BY id")) {
            List<Integer> ids = new ArrayList<>();
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
            return ids;
        }
    }

    private List<String> volumeListing() throws Exception {
        try (Stream<Path> s = Files.walk(volume)) {
            return s.filter(Files::isRegularFile).map(p -> volume.relativize(p) + "=" + readQuietly(p)).sorted().toList();
        }
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void backupVerifyRestoreRoundTripPutsDatabaseAndVolumeBack(TestDatabase db) throws Exception {
        createData(db);
        Path archive = tmp.resolve("out/nightly.tgz");
        List<String> before = volumeListing();

        CliRun backup = CliRun.run(env, args(db, "backup", "--volume", "files=" + volume, "--output", archive.toString()));
        assertThat(backup.code()).as(backup.toString()).isZero();
        assertThat(backup.out()).contains("written to " + archive).contains("signed with key");
        assertThat(archive).isRegularFile();
        try (Stream<Path> s = Files.list(archive.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("nightly.tgz");
        }
        assertThat(tmp.resolve("config/keepsake/archive.key")).isRegularFile();

        CliRun verify = CliRun.run(env, "verify", "--input", archive.toString());
        assertThat(verify.code()).as(verify.toString()).isZero();
        assertThat(verify.out()).startsWith("OK: backup ").contains("demo 1.3.0").contains("signed with key");

        db.execute("INSERT INTO item VALUES (3, 'three'); DELETE FROM item WHERE id = 1;");
        Files.delete(volume.resolve("a.txt"));
        Files.writeString(volume.resolve("new.txt"), "after the backup");

        CliRun restore = CliRun.run(env, args(db, "restore", "--volume", "files=" + volume, "--input", archive.toString()));
        assertThat(restore.code()).as(restore.toString()).isZero();
        assertThat(restore.out()).contains("restored ");
        assertThat(ids(db)).containsExactly(1, 2);
        assertThat(volumeListing()).isEqualTo(before);
        assertThat(archive).isRegularFile(); // the caller's file is kept
    }

    @Test
    void backupChecksTheArchiveAsVerifySaysBeforeItReplacesTheOutput(TestDatabase db) throws Exception {
        createData(db);
        for (String mode : List.of("full", "none", "STORED_BYTES")) {
            Path archive = tmp.resolve("out-" + mode + "/b.tgz");
            CliRun backup = CliRun.run(env, args(db, "backup", "--verify", mode, "--output", archive.toString()));
            assertThat(backup.code()).as(backup.toString()).isZero();
            assertThat(CliRun.run(env, "verify", "--input", archive.toString()).code()).isZero();
        }
        CliRun wrong = CliRun.run(env, args(db, "backup", "--verify", "twice", "--output",
                tmp.resolve("x.tgz").toString()));
        assertThat(wrong.code()).isEqualTo(2);
        assertThat(wrong.err()).contains("--verify").contains("twice");
        assertThat(tmp.resolve("x.tgz")).doesNotExist();
    }

    @Test
    void verifyAndRestoreExitFourForAnArchiveWithAFlippedByte(TestDatabase db) throws Exception {
        createData(db);
        Path archive = tmp.resolve("b.tgz");
        assertThat(CliRun.run(env, args(db, "backup", "--output", archive.toString())).code()).isZero();
        db.execute("INSERT INTO item VALUES (9, 'after')");
        try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
            long middle = f.length() / 2;
            f.seek(middle);
            int b = f.read();
            f.seek(middle);
            f.write(b ^ 0x40);
        }

        CliRun verify = CliRun.run(env, "verify", "--input", archive.toString());
        CliRun restore = CliRun.run(env, args(db, "restore", "--input", archive.toString()));

        assertThat(verify.code()).as(verify.toString()).isEqualTo(4);
        assertThat(verify.reasonLines()).hasSize(1);
        assertThat(restore.code()).as(restore.toString()).isEqualTo(4);
        assertThat(restore.reasonLines()).hasSize(1);
        assertThat(ids(db)).containsExactly(1, 2, 9); // nothing changed
    }

    @Test
    void archiveSignedWithAnotherKeyExitsFourAndUnsignedIsRefusedUnlessAllowed(TestDatabase db) throws Exception {
        createData(db);
        Path archive = tmp.resolve("b.tgz");
        assertThat(CliRun.run(env, args(db, "backup", "--output", archive.toString())).code()).isZero();
        Path otherKey = tmp.resolve("other.key");
        Files.writeString(otherKey, java.util.Base64.getEncoder().encodeToString(new byte[32]));

        CliRun otherKeyVerify = CliRun.run(env, "verify", "--input", archive.toString(), "--key-file", otherKey.toString());
        CliRun noKeyVerify = CliRun.run(Map.of("XDG_CONFIG_HOME", tmp.resolve("empty-config").toString()),
                "verify", "--input", archive.toString());

        assertThat(otherKeyVerify.code()).as(otherKeyVerify.toString()).isEqualTo(4);
        assertThat(noKeyVerify.code()).as(noKeyVerify.toString()).isEqualTo(4);
        assertThat(noKeyVerify.err()).contains("no archive key is configured");
    }

    @Test
    void unsignedArchiveIsRefusedWithExitFourUnlessAllowUnsignedIsGiven(TestDatabase db) throws Exception {
        createData(db);
        Path archive = tmp.resolve("unsigned.tgz");
        try (MaintenanceEngine engine = EngineSetup.builder(DemoProduct.CURRENT, db.dataSource(), List.of())
                .workDirectory(tmp.resolve("engine")).build()) { // no signing key: the backup is unsigned
            assertThat(engine.startBackup().completion().get(2, TimeUnit.MINUTES).succeeded()).isTrue();
            try (InputStream in = engine.latestBackup().orElseThrow().open(0)) {
                Files.copy(in, archive);
            }
        }
        db.execute("INSERT INTO item VALUES (9, 'after')");

        CliRun refused = CliRun.run(env, args(db, "restore", "--input", archive.toString()));
        assertThat(refused.code()).as(refused.toString()).isEqualTo(4);
        assertThat(ids(db)).containsExactly(1, 2, 9);

        CliRun verified = CliRun.run(env, "verify", "--allow-unsigned", "--input", archive.toString());
        assertThat(verified.code()).as(verified.toString()).isZero();
        assertThat(verified.out()).contains("UNSIGNED");
        CliRun allowed = CliRun.run(env, args(db, "restore", "--allow-unsigned", "--input", archive.toString()));
        assertThat(allowed.code()).as(allowed.toString()).isZero();
        assertThat(ids(db)).containsExactly(1, 2);
    }

    @Test
    void restoreOfABackupFromBeforeTheBarrierExitsThreeNamingTheLastVersionThatCanRestoreIt(TestDatabase db)
            throws Exception {
        createData(db);
        Path archive = tmp.resolve("old.tgz");
        CliRun backup = CliRun.run(env, args(db, "backup", "--product-version", "1.0.0", "--output", archive.toString()));
        assertThat(backup.code()).as(backup.toString()).isZero();
        db.execute("INSERT INTO item VALUES (9, 'after')");

        CliRun verify = CliRun.run(env, "verify", "--input", archive.toString());
        CliRun restore = CliRun.run(env, args(db, "restore", "--input", archive.toString()));
        CliRun restoreAsOldRelease = CliRun.run(env, args(db, "restore", "--product-version", "1.2.9",
                "--input", archive.toString()));

        assertThat(verify.code()).as(verify.toString()).isEqualTo(3);
        assertThat(verify.err()).contains("1.2.9");
        assertThat(restore.code()).as(restore.toString()).isEqualTo(3);
        assertThat(restore.reasonLines()).hasSize(1);
        assertThat(restore.reasonLines().get(0)).contains("1.0.0").contains("1.2.9");
        assertThat(restoreAsOldRelease.code()).as(restoreAsOldRelease.toString()).isZero();
        assertThat(ids(db)).containsExactly(1, 2);
    }

    @Test
    void backupExitsOneWhenTheDatabaseIsUnreachableAndLeavesNoFile() {
        Path archive = tmp.resolve("b.tgz");

        CliRun r = CliRun.run(env, "backup", "--jdbc-url", "jdbc:postgresql://127.0.0.1:1/nothing?password=hunter2",
                "--output", archive.toString());

        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.reasonLines()).hasSize(1);
        assertThat(r.err()).contains("cannot connect").doesNotContain("hunter2");
        assertThat(archive).doesNotExist();
        assertThat(tmp).isDirectoryNotContaining("glob:**.part");
    }

    @Test
    void restoreExitsOneForAMissingInputFile(TestDatabase db) {
        CliRun r = CliRun.run(env, args(db, "restore", "--input", tmp.resolve("absent.tgz").toString()));

        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("absent.tgz");
    }
}
