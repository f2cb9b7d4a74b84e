package dev.keepsake.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keepsake.testkit.internal.Provisioner;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresLauncherIT {

    @TempDir
    Path directory;

    @Test
    void restartKeepsTheDataAndTheServerIsDurable() throws Exception {
        int port = Provisioner.freeLoopbackPort();
        PostgresLauncher launcher = PostgresLauncher.builder().dataDirectory(directory).port(port).build();

        try (RunningPostgres first = launcher.start()) {
            assertThat(first.port()).isEqualTo(port);
            assertThat(first.host()).isEqualTo("127.0.0.1");
            assertThat(first.majorVersion()).isEqualTo(launcher.major());
            try (Connection connection = connect(first); Statement statement = connection.createStatement()) {
                assertThat(show(statement, "fsync")).isEqualTo("on");
                assertThat(show(statement, "synchronous_commit")).isEqualTo("on");
                assertThat(show(statement, "full_page_writes")).isEqualTo("on");
                assertThat(show(statement, "listen_addresses")).isEqualTo("127.0.0.1");
                statement.execute("CREATE TABLE kept (v text)");
                statement.execute("INSERT INTO kept VALUES ('survives a restart')");
            }
        }
        assertThat(accepts(port)).as("stopped").isFalse();
        Path passwordFile = directory.resolve("superuser.password");
        assertThat(Files.getPosixFilePermissions(passwordFile)).containsExactlyInAnyOrder(
                PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(directory.resolve("pgdata/PG_VERSION")).exists();

        RunningPostgres second = PostgresLauncher.builder().dataDirectory(directory).build().start();
        try {
            try (Connection connection = connect(second); Statement statement = connection.createStatement()) {
                assertThat(show(statement, "SELECT v FROM kept")).isEqualTo("survives a restart");
            }
            assertThat(second.connectionProperties().getProperty("password"))
                    .isEqualTo(Files.readString(passwordFile).strip());
            Properties wrong = second.connectionProperties();
            wrong.setProperty("password", "not-the-password");
            assertThatThrownBy(() -> DriverManager.getConnection(second.jdbcUrl("postgres"), wrong).close())
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("password authentication failed")
                    .hasMessageNotContaining("not-the-password");
        } finally {
            second.close();
        }
        second.close(); // idempotent
        assertThat(accepts(second.port())).isFalse();
    }

    @Test
    void refusesToStartWhenThePasswordFileOfAnExistingClusterIsLost() throws Exception {
        PostgresLauncher launcher = PostgresLauncher.builder().dataDirectory(directory).build();
        launcher.start().close();
        Files.delete(directory.resolve("superuser.password"));
        assertThatThrownBy(launcher::start)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("superuser.password is missing");
    }

    @Test
    void refusesAClusterOfAnotherMajor() throws Exception {
        Files.createDirectories(directory.resolve("pgdata"));
        Files.writeString(directory.resolve("pgdata/PG_VERSION"), "13\n");
        PostgresLauncher launcher = PostgresLauncher.builder().dataDirectory(directory).major(15).build();
        assertThatThrownBy(launcher::start)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("initialised by PostgreSQL 13 and cannot be started with PostgreSQL 15");
    }

    @Test
    void refusesADirectoryThatIsNotItsOwn() throws Exception {
        Files.writeString(directory.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> PostgresLauncher.builder().dataDirectory(directory).build().start())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("is not a Keepsake PostgreSQL directory")
                .hasMessageContaining("notes.txt");
        assertThat(directory.resolve("pgdata")).doesNotExist();
    }

    @Test
    void builderListsEveryProblem() {
        assertThatThrownBy(() -> PostgresLauncher.builder().major(12).port(70000).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("major 12 is not supported")
                .hasMessageContaining("dataDirectory is required")
                .hasMessageContaining("port 70000");
    }

    private static Connection connect(RunningPostgres postgres) throws SQLException {
        return DriverManager.getConnection(postgres.jdbcUrl("postgres"), postgres.connectionProperties());
    }

    private static String show(Statement statement, String sqlOrSetting) throws SQLException {
        String sql = sqlOrSetting.startsWith("SELECT") ? sqlOrSetting : "SHOW " + sqlOrSetting;
        try (ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
