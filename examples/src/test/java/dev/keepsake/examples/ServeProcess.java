package dev.keepsake.examples;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code keepsake serve} as a separate process, started like a user would (here with the test class path instead of
 * the jar, because {@code package} runs after the tests), its output in a log file.
 */
final class ServeProcess implements AutoCloseable {

    static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private final Process process;
    private final Path log;
    final int port;

    private ServeProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts serve and waits until it prints that it is running. */
    static ServeProcess start(Path dataDir, Path keyFile, Map<String, String> env, Path log, String... extraArgs)
            throws Exception {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                System.getProperty("keepsake.examples.mainClass", Main.class.getName()),
                "serve", "--port", Integer.toString(port), "--data-dir", dataDir.toString(),
                "--key-file", keyFile.toString()));
        cmd.addAll(List.of(extraArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KEEPSAKE_"));
        pb.environment().putAll(env);
        ServeProcess p = new ServeProcess(pb.start(), log, port);
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (!p.output().contains("Stop with Ctrl-C.")) {
            if (!p.process.isAlive()) {
                throw new IllegalStateException("serve exited with " + p.process.exitValue() + ":\n" + p.output());
            }
            if (Instant.now().isAfter(deadline)) {
                p.close();
                throw new IllegalStateException("serve did not start within " + START_TIMEOUT + ":\n" + p.output());
            }
            Thread.sleep(200);
        }
        return p;
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** The first group of {@code pattern} in the output. */
    String find(String pattern) throws IOException {
        Matcher m = Pattern.compile(pattern).matcher(output());
        if (!m.find()) {
            throw new IllegalStateException("no " + pattern + " in the output:\n" + output());
        }
        return m.group(1);
    }

    /** Sends SIGTERM and waits for the process to end; returns its exit code. */
    int stop() throws Exception {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("serve did not stop within 60 s of SIGTERM:\n" + output());
        }
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
