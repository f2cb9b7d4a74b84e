package dev.keepsake.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's persistent cluster on the local-binaries fallback (the zonky path is covered by PostgresLauncherIT). */
class PersistentClustersIT {

    private static final String PASSWORD = PasswordAuthentication.newPassword();

    @TempDir
    Path temporary;

    @Test
    void localBinariesClusterSurvivesARestartOnAnotherPort() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/lib/postgresql/15/bin/initdb")),
                "needs the local PostgreSQL 15 server binaries");
        Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path directory = temporary.resolve("demo");
        TestkitSettings settings = TestkitSettings.fromEnvironment().withStrategies(List.of(Strategy.LOCAL_BINARIES));

        try (RunningCluster first = PersistentClusters.start(spec(directory), settings)) {
            assertThat(first.description()).startsWith("local ");
            try (Connection connection = Provisioner.connect(first, "postgres");
                 Statement statement = connection.createStatement()) {
                assertThat(value(statement, "SHOW fsync")).isEqualTo("on");
                statement.execute("CREATE TABLE kept AS SELECT 42 AS answer");
            }
        }
        assertThat(Postmaster.of(directory.resolve("pgdata"))).isEmpty();

        ClusterSpec again = spec(directory);
        try (RunningCluster second = PersistentClusters.start(again, settings)) {
            assertThat(second.port()).isEqualTo(again.port());
            try (Connection connection = Provisioner.connect(second, "postgres");
                 Statement statement = connection.createStatement()) {
                assertThat(value(statement, "SELECT answer::text FROM kept")).isEqualTo("42");
            }
            Properties noPassword = new Properties();
            noPassword.setProperty("user", "postgres");
            assertThatThrownBy(() -> DriverManager.getConnection(Provisioner.jdbcUrl(second, "postgres"), noPassword)
                    .close()).isInstanceOf(SQLException.class).hasMessageContaining("password");
        }
        assertThat(directory.resolve("pgdata/PG_VERSION")).exists();
    }

    private static ClusterSpec spec(Path directory) throws Exception {
        int port = Provisioner.freeLoopbackPort();
        return new ClusterSpec(15, directory.resolve("pgdata"), directory, port, ClusterSpec.durableSettings(port),
                true, PASSWORD);
    }

    private static String value(Statement statement, String sql) throws Exception {
        try (ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
