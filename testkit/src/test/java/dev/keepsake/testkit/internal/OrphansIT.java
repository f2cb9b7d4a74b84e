package dev.keepsake.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keepsake.testkit.ChildJvmServer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM killed without running its shutdown hooks leaves a postmaster; the next JVM removes it and its directory. */
class OrphansIT {

    @TempDir
    Path work;

    @Test
    void serversOfKilledJvmsAreStoppedAndDeletedByTheNextOne() throws Exception {
        Path temporaryRoot = Files.createDirectory(work.resolve("tmp"));
        Path report = work.resolve("child.txt");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                "-Dkeepsake.testkit.temp.dir=" + temporaryRoot,
                "-Dkeepsake.testkit.strategy=embedded"));
        if (System.getProperty("maven.repo.local") != null) {
            command.add("-Dmaven.repo.local=" + System.getProperty("maven.repo.local"));
        }
        command.addAll(List.of(ChildJvmServer.class.getName(), report.toString(), "hang"));
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("child.log").toFile()).start();
        try {
            awaitReport(child, report);
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hook runs
            child.waitFor(60, TimeUnit.SECONDS);
        }
        List<String> lines = Files.readAllLines(report, StandardCharsets.UTF_8);
        Path dataDirectory = Path.of(lines.get(2));
        assertThat(Postmaster.of(dataDirectory)).as("the killed JVM's postmaster is orphaned").isPresent();
        Files.createDirectory(temporaryRoot.resolve("keepsake-pg15-unclaimed")); // being created by another JVM

        assertThat(Orphans.reap(temporaryRoot)).isEqualTo(1);

        assertThat(Postmaster.of(dataDirectory)).isEmpty();
        assertThat(dataDirectory.getParent()).doesNotExist();
        assertThat(temporaryRoot.resolve("keepsake-pg15-unclaimed")).exists();
        assertThat(Orphans.reap(temporaryRoot)).isZero();
    }

    private static void awaitReport(Process child, Path report) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(report)) {
            assertThat(child.isAlive()).as("child JVM still starting its server").isTrue();
            assertThat(System.nanoTime()).as("child JVM reported within 120 s").isLessThan(deadline);
            child.waitFor(100, TimeUnit.MILLISECONDS);
        }
    }
}
