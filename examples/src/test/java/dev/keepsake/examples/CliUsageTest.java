package dev.keepsake.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Exit code 2 (usage) and the one-line reason, for command lines that are wrong before anything runs. */
class CliUsageTest {

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
    }

    Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("XDG_CONFIG_HOME", tmp.toString()), false);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpExitsZeroAndListsTheCommands() {
        Result r = run("--help");

        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("serve", "backup", "restore", "verify", "Exit codes");
    }

    @Test
    void noCommandIsAUsageError() {
        Result r = run();

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).contains("missing command").doesNotContain("\n");
    }

    @Test
    void missingRequiredOptionIsAUsageErrorWithOneLine() {
        Result r = run("backup", "--jdbc-url", "jdbc:postgresql://localhost/x");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).contains("--output").doesNotContain("\n");
    }

    @Test
    void missingJdbcUrlIsAUsageError() {
        Result r = run("backup", "--output", tmp.resolve("b.tgz").toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--jdbc-url");
        assertThat(tmp.resolve("b.tgz")).doesNotExist();
    }

    @Test
    void malformedVolumeIsAUsageError() {
        Result r = run("backup", "--jdbc-url", "jdbc:postgresql://localhost/x", "--volume", "no-equals-sign",
                "--output", tmp.resolve("b.tgz").toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("NAME=PATH");
    }

    @Test
    void unknownOptionIsAUsageError() {
        Result r = run("verify", "--input", "x", "--bogus");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--bogus");
    }

    @Test
    void invalidProductVersionIsAUsageError() throws Exception {
        Path archive = java.nio.file.Files.writeString(tmp.resolve("a.tgz"), "x");

        Result r = run("verify", "--input", archive.toString(), "--product-version", "one.two");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("one.two");
    }

    @Test
    void nonPostgresJdbcUrlIsAUsageErrorAndHidesThePassword() {
        Result r = run("backup", "--jdbc-url", "jdbc:mysql://db/app?password=hunter2",
                "--output", tmp.resolve("b.tgz").toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("not a PostgreSQL JDBC URL").doesNotContain("hunter2");
    }
}
