package dev.keepsake.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.PostgresServer;
import dev.keepsake.testkit.PostgresUnavailableException;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The jdbc-url strategy, pointed at the shared server as if the user had started it. */
@ExtendWith(PostgresExtension.class)
class UserServerIT {

    private static TestkitSettings userUrl(String url) {
        TestkitSettings base = TestkitSettings.from(Map.of("java.io.tmpdir", System.getProperty("java.io.tmpdir")),
                Map.of());
        return new TestkitSettings(Optional.of(url), Optional.empty(), Optional.empty(), Optional.empty(),
                List.of(Strategy.JDBC_URL), Optional.empty(), base.mavenRepository(), false, base.localRoot(),
                base.localUser(), base.temporaryRoot(), base.binariesCache());
    }

    @Test
    void aServerGivenByUrlIsUsedAsIsAndNeverStopped(PostgresServer server) throws Exception {
        String url = server.jdbcUrl("postgres") + "?user=postgres&ApplicationName=keepsake-test";
        Provisioner.Provisioned provisioned = Provisioner.provision(server.majorVersion(), true, userUrl(url));
        RunningCluster given = provisioned.cluster();
        assertThat(provisioned.strategy()).isEqualTo(Strategy.JDBC_URL);
        assertThat(provisioned.serverVersionNum()).isEqualTo(server.serverVersionNum());
        assertThat(given.superuser()).isEqualTo("postgres");
        assertThat(given.maintenanceDatabase()).isEqualTo("postgres");
        assertThat(Provisioner.jdbcUrl(given, "other"))
                .isEqualTo("jdbc:postgresql://127.0.0.1:" + server.port() + "/other?ApplicationName=keepsake-test");
        assertThat(given.description()).startsWith("given by KEEPSAKE_TEST_JDBC_URL");

        given.close();
        assertThat(Provisioner.serverVersionNum(given)).as("still running").isEqualTo(server.serverVersionNum());
    }

    @Test
    void aServerOfAnotherMajorIsRefusedOnlyWhenAMajorWasAskedFor(PostgresServer server) {
        String url = server.jdbcUrl("postgres") + "?user=postgres";
        int other = server.majorVersion() == 13 ? 14 : 13;
        assertThatThrownBy(() -> Provisioner.provision(other, true, userUrl(url)))
                .isInstanceOf(PostgresUnavailableException.class)
                .hasMessageContaining("runs PostgreSQL " + server.majorVersion() + ", not the requested " + other);
        assertThat(Provisioner.provision(other, false, userUrl(url)).major()).isEqualTo(server.majorVersion());
    }

    @Test
    void passwordsAreRedactedFromUrlsInMessages() {
        assertThat(UserServer.redact("jdbc:postgresql://h:5432/db?user=a&password=s3cret&ssl=true"))
                .isEqualTo("jdbc:postgresql://h:5432/db?user=a&password=***&ssl=true");
        assertThatThrownBy(() -> UserServer.parse("jdbc:mysql://h/db?password=s3cret", null, null))
                .hasMessageContaining("is not a PostgreSQL JDBC URL")
                .hasMessageNotContaining("s3cret");
    }
}
