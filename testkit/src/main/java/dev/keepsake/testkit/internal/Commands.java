package dev.keepsake.testkit.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short external commands (initdb, pg_ctl, id) with a timeout; output goes to a log file. */
final class Commands {

    private Commands() {
    }

    /** Result of a finished command. */
    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    /**
     * Runs {@code command} in {@code workingDirectory}, appending its output to {@code log} (or capturing it when
     * {@code log} is null), and waits at most {@code timeout}.
     *
     * @throws IOException when it cannot start or does not finish in time (it is then killed)
     */
    static Result run(List<String> command, Path workingDirectory, Path log, Duration timeout) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (workingDirectory != null) {
            builder.directory(workingDirectory.toFile());
        }
        Path output = log;
        boolean temporaryOutput = false;
        if (output == null) {
            output = Files.createTempFile("keepsake-testkit-cmd", ".log");
            temporaryOutput = true;
        }
        try {
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process process = builder.start();
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new IOException(command.get(0) + " did not finish within " + timeout.toSeconds() + " s");
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + command.get(0), e);
            }
            String text = temporaryOutput ? Files.readString(output, StandardCharsets.UTF_8) : "";
            return new Result(process.exitValue(), text.strip());
        } finally {
            if (temporaryOutput) {
                Files.deleteIfExists(output);
            }
        }
    }

    /** The last {@code lines} lines of a log file, for error messages; empty when there is none. */
    static String tail(Path log, int lines) {
        if (log == null || !Files.isRegularFile(log)) {
            return "";
        }
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> last = new ArrayList<>(all.subList(Math.max(0, all.size() - lines), all.size()));
            last.removeIf(String::isBlank);
            return String.join(" | ", last);
        } catch (IOException e) {
            return "(log " + log + " unreadable: " + e.getMessage() + ")";
        }
    }

    /** The executable {@code name} on the PATH, or null. */
    static Path onPath(String name) {
        String path = System.getenv("PATH");
        List<String> directories = new ArrayList<>(List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        if (path != null) {
            directories.addAll(0, List.of(path.split(java.io.File.pathSeparator)));
        }
        for (String directory : directories) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory, name);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
