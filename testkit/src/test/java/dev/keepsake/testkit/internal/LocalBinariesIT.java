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
                settings.localUser(), temporaryRoot);

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

    private static String value(Statement statement, String sql) throws Exception {
        try (ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
