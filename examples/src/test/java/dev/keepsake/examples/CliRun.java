package dev.keepsake.examples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the command line in this JVM and captures its exit code, stdout and stderr. */
record CliRun(int code, String out, String err) {

    static CliRun run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, false);
        return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The non-progress lines of stderr (the one-line reason of a failure). */
    List<String> reasonLines() {
        List<String> lines = new ArrayList<>();
        for (String l : err.split("\n")) {
            if (!l.isBlank() && !l.startsWith("backup: ") && !l.startsWith("restore: ")) {
                lines.add(l);
            }
        }
        return lines;
    }

    @Override
    public String toString() {
        return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
}
