package dev.keepsake.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keepsake.testkit.internal.DefaultMajor;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class PostgresExtensionIT {

    private TestDatabase fromBeforeEach;

    @BeforeEach
    void rememberDatabase(TestDatabase database) {
        fromBeforeEach = database;
    }

    @Test
    void injectsARunningServerOfTheDefaultMajor(PostgresServer server) throws SQLException {
        int expected = DefaultMajor.localPgDumpMajor().orElse(DefaultMajor.FALLBACK);
        assertThat(server.majorVersion()).isEqualTo(expected);
        try (Connection connection = server.connect("postgres");
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SHOW server_version_num")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1) / 10000).isEqualTo(expected);
        }
        assertThat(server.host()).isEqualTo("127.0.0.1");
        assertThat(server.description()).contains(":" + server.port());
    }

    @Test
    void sameServerIsReusedWithinTheJvm(PostgresServer server) {
        assertThat(PostgresServer.shared()).isSameAs(server);
        assertThat(PostgresServer.shared(server.majorVersion())).isSameAs(server);
    }

    @Test
    void testMethodAndBeforeEachShareOneFreshDatabase(TestDatabase database) throws SQLException {
        assertThat(database).isSameAs(fromBeforeEach);
        database.execute("CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)");
        try (Connection connection = database.dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT current_database(), count(*) FROM t GROUP BY 1")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(database.name());
            assertThat(rs.getInt(2)).isEqualTo(2);
        }
    }

    @Test
    void serverIsTunedForTestsAndAcceptsManyConnections(PostgresServer server) throws SQLException {
        try (Connection connection = server.connect("postgres");
             Statement statement = connection.createStatement()) {
            assertThat(show(statement, "fsync")).isEqualTo("off");
            assertThat(show(statement, "synchronous_commit")).isEqualTo("off");
            assertThat(show(statement, "full_page_writes")).isEqualTo("off");
            assertThat(Integer.parseInt(show(statement, "max_connections"))).isGreaterThanOrEqualTo(100);
            assertThat(show(statement, "listen_addresses")).isEqualTo("127.0.0.1");
        }
    }

    static String show(Statement statement, String setting) throws SQLException {
        try (ResultSet rs = statement.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
