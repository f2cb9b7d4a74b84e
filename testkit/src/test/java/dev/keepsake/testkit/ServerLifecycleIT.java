package dev.keepsake.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shared server dies with its JVM: no postgres process, no listening port, no directory left behind. */
class ServerLifecycleIT {

    @TempDir
    Path work;

    /**
     * Each case also varies the class path: with the optional Testcontainers dependency, and without it (as in a
     * module that does not add it), where the docker strategy must step aside quietly.
     */
    @ParameterizedTest(name = "strategies {0}, main method ends by {1}, Testcontainers {2}")
    @CsvSource({"'docker,embedded', return, absent", "local-binaries, exit, present"})
    void serverAndItsDirectoryAreGoneAfterTheJvmExits(String strategy, String ending, String testcontainers)
            throws Exception {
        // local binaries run as an unprivileged user when we are root: it must be able to reach the temp directory
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path report = work.resolve("child.txt");
        Path temporaryRoot = Files.createDirectory(work.resolve("tmp"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath(testcontainers.equals("present")),
                "-Dkeepsake.testkit.temp.dir=" + temporaryRoot,
                "-Dkeepsake.testkit.strategy=" + strategy));
        for (String name : List.of("keepsake.testkit.binaries.dir", "maven.repo.local",
                "keepsake.testkit.postgres.major")) {
            if (System.getProperty(name) != null) {
                command.add("-D" + name + "=" + System.getProperty(name));
            }
        }
        command.addAll(List.of(ChildJvmServer.class.getName(), report.toString(), ending));
        Process child = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("child.log").toFile())
                .start();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        String log = Files.readString(work.resolve("child.log"), StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as(log).isEqualTo(ending.equals("exit") ? 3 : 0);

        List<String> lines = Files.readAllLines(report, StandardCharsets.UTF_8);
        long pid = Long.parseLong(lines.get(0));
        int port = Integer.parseInt(lines.get(1));
        Path dataDirectory = Path.of(lines.get(2));
        assertThat(lines.get(3)).startsWith(strategy.endsWith("embedded") ? "embedded" : "local");
        assertThat(dataDirectory.startsWith(temporaryRoot)).as(dataDirectory + " in " + temporaryRoot).isTrue();

        assertThat(isRunning(pid)).as("postmaster " + pid + " running").isFalse();
        assertThat(accepts(port)).as("port " + port + " still listening").isFalse();
        assertThat(dataDirectory).doesNotExist();
        try (var left = Files.list(temporaryRoot)) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("keepsake-pg")))
                    .as("throwaway cluster directories").isEmpty();
        }
    }

    /** The test class path (surefire's, not its booter jar), optionally without Testcontainers and its deps. */
    private static String classPath(boolean withTestcontainers) {
        String full = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> entries = new ArrayList<>();
        for (String entry : full.split(File.pathSeparator)) {
            if (withTestcontainers || !(entry.contains("testcontainers") || entry.contains("docker-java"))) {
                entries.add(entry);
            }
        }
        if (!withTestcontainers) {
            assertThat(entries).as("Testcontainers removed").hasSizeLessThan(full.split(File.pathSeparator).length);
        }
        return String.join(File.pathSeparator, entries);
    }

    /**
     * Whether a process runs. pg_ctl stop returns once the postmaster removed its pid file, moments before the
     * process is gone and reaped by init: wait for that, and count a zombie as not running.
     */
    private static boolean isRunning(long pid) throws Exception {
        var process = ProcessHandle.of(pid);
        if (process.isEmpty()) {
            return false;
        }
        try {
            process.get().onExit().get(30, TimeUnit.SECONDS);
            return false;
        } catch (TimeoutException e) {
            Path stat = Path.of("/proc", Long.toString(pid), "stat");
            if (!Files.exists(stat)) {
                return false;
            }
            String text = Files.readString(stat, StandardCharsets.US_ASCII);
            char state = text.substring(text.lastIndexOf(')') + 2).charAt(0);
            return state != 'Z' && state != 'X';
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
