package dev.keepsake.examples;

import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.core.Operation;
import dev.keepsake.core.OperationStatus;
import dev.keepsake.core.Progress;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Shows a running operation's progress on stderr until it ends: a bar redrawn in place on a terminal, plain lines
 * (one per phase, and at most one every {@value #PLAIN_INTERVAL_SECONDS} s) otherwise, so cron mails stay short.
 * Not thread-safe: one thread awaits one operation.
 */
final class ProgressDisplay {

    private static final int BAR_WIDTH = 30;
    private static final long PLAIN_INTERVAL_SECONDS = 10;

    private final PrintWriter err;
    private final boolean terminal;
    private String lastPhase = "";
    private long lastPlainLine;
    private int lastWidth;

    ProgressDisplay(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** Waits for the operation to end, showing its progress; returns its final status. */
    OperationStatus await(MaintenanceEngine engine, Operation operation) throws InterruptedException {
        try {
            while (true) {
                try {
                    OperationStatus done = operation.completion().get(terminal ? 200 : 1000, TimeUnit.MILLISECONDS);
                    finish();
                    return done;
                } catch (TimeoutException e) {
                    engine.status().progress().ifPresent(this::show);
                }
            }
        } catch (ExecutionException e) {
            finish();
            // documented never to happen: a failure completes normally with succeeded == false
            throw new IllegalStateException("the operation ended abnormally: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            finish();
            throw e;
        }
    }

    void show(Progress p) {
        String text = describe(p);
        if (terminal) {
            String line = "\r" + bar(p) + " " + text;
            int visible = line.length() - 1;
            if (visible > 100) {
                line = line.substring(0, 101);
                visible = 100;
            }
            err.print(line + " ".repeat(Math.max(0, lastWidth - visible)));
            lastWidth = visible;
            err.flush();
        } else {
            long now = System.nanoTime();
            if (!p.phase().equals(lastPhase)
                    || now - lastPlainLine >= TimeUnit.SECONDS.toNanos(PLAIN_INTERVAL_SECONDS)) {
                err.println(p.operation() + ": " + text);
                err.flush();
                lastPhase = p.phase();
                lastPlainLine = now;
            }
        }
    }

    private void finish() {
        if (terminal && lastWidth > 0) {
            err.println();
            err.flush();
            lastWidth = 0;
        }
    }

    private static String bar(Progress p) {
        Optional<Integer> percent = percent(p);
        int filled = percent.map(v -> v * BAR_WIDTH / 100).orElse(0);
        return "[" + "#".repeat(filled) + " ".repeat(BAR_WIDTH - filled) + "]";
    }

    static String describe(Progress p) {
        StringBuilder s = new StringBuilder();
        percent(p).ifPresent(v -> s.append(v).append("% "));
        s.append(p.phase().isEmpty() ? "working" : p.phase());
        if (!p.currentPart().isEmpty() && !p.phase().contains(p.currentPart())) {
            s.append(" [").append(p.currentPart()).append(']');
        }
        s.append(" (").append(bytes(p.bytesDone()));
        if (p.bytesExpected().isPresent()) {
            s.append(" of ").append(bytes(p.bytesExpected().getAsLong()));
        }
        return s.append(')').toString();
    }

    private static Optional<Integer> percent(Progress p) {
        if (p.bytesExpected().isEmpty() || p.bytesExpected().getAsLong() <= 0) {
            return Optional.empty();
        }
        long pct = p.bytesDone() * 100 / p.bytesExpected().getAsLong();
        return Optional.of((int) Math.max(0, Math.min(100, pct)));
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
