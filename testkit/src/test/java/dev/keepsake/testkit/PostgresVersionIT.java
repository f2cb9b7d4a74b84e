package dev.keepsake.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Needs the PostgreSQL 13 binaries that the testkit pom copies into target/pg-binaries. */
@ExtendWith(PostgresExtension.class)
@PostgresVersion(13)
class PostgresVersionIT {

    @Test
    void classLevelVersionIsHonoured(PostgresServer server, TestDatabase database) throws SQLException {
        assertThat(server.majorVersion()).isEqualTo(13);
        assertThat(serverVersionNum(database) / 10000).isEqualTo(13);
        assertThat(server.description()).contains("13.");
    }

    @Test
    @PostgresVersion(15)
    void methodLevelVersionWinsOverTheClass(TestDatabase database) throws SQLException {
        assertThat(serverVersionNum(database) / 10000).isEqualTo(15);
    }

    @Test
    void twoMajorsRunSideBySideInOneJvm(@PostgresVersion(13) TestDatabase old,
                                        @PostgresVersion(15) TestDatabase current) throws SQLException {
        assertThat(serverVersionNum(old) / 10000).isEqualTo(13);
        assertThat(serverVersionNum(current) / 10000).isEqualTo(15);
        assertThat(old.server().port()).isNotEqualTo(current.server().port());
    }

    @Nested
    class NestedClasses {
        @Test
        void inheritTheEnclosingClassVersion(PostgresServer server) {
            assertThat(server.majorVersion()).isEqualTo(13);
        }
    }

    static int serverVersionNum(TestDatabase database) throws SQLException {
        try (Connection connection = database.connect();
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SHOW server_version_num")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
