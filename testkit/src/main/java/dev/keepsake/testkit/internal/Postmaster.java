package dev.keepsake.testkit.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Reads {@code postmaster.pid} and stops a postmaster by signal, the last resort when {@code pg_ctl stop} failed. */
final class Postmaster {

    private Postmaster() {
    }

    /** The live postmaster process of a data directory, if any. */
    static Optional<ProcessHandle> of(Path dataDirectory) {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            if (lines.isEmpty()) {
                return Optional.empty();
            }
            long pid = Long.parseLong(lines.get(0).trim());
            // after a reboot the pid may belong to another program: only ever signal a postgres
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(true));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty(); // no pid file (not running) or a half-written one: nothing we can signal
        }
    }

    /** Sends SIGTERM, then SIGKILL after {@code grace}; waits for the process to go. */
    static void kill(ProcessHandle postmaster, Duration grace) {
        postmaster.destroy();
        if (!awaitExit(postmaster, grace)) {
            postmaster.destroyForcibly();
            awaitExit(postmaster, Duration.ofSeconds(10));
        }
    }

    private static boolean awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }
}
