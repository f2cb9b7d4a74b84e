package dev.keepsake.benchmarks;

import dev.keepsake.core.spi.support.DaemonThreads;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.core.Progress;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where the time of a Keepsake operation goes, from the outside: polls the engine's {@code status()} every few
 * milliseconds and adds the time between polls to the phase the operation reported ("verifying archive", "copying
 * data", "creating indexes and constraints", ...; the per-table phases of a backup count as "copying tables").
 * Thread-safe: one poller thread writes, readers take a copy.
 */
final class PhaseClock {

    private final Map<String, Double> seconds = new LinkedHashMap<>();
    private int operations;

    /** Polls {@code engine} until {@link Running#close()}. */
    Running watch(MaintenanceEngine engine) {
        return new Running(engine);
    }

    /** Seconds per phase, averaged over the watched operations. */
    synchronized Map<String, Double> averages() {
        Map<String, Double> result = new LinkedHashMap<>();
        seconds.forEach((phase, s) -> result.put(phase, s / Math.max(1, operations)));
        return result;
    }

    /** {@code phase 1.23 s, phase 0.45 s, ...} */
    String describe() {
        StringBuilder sb = new StringBuilder();
        averages().forEach((phase, s) -> sb.append(sb.length() == 0 ? "" : ", ")
                .append(String.format(Locale.ROOT, "%s %.2f s", phase, s)));
        return sb.toString();
    }

    private synchronized void add(String phase, double s) {
        seconds.merge(phase, s, Double::sum);
    }

    private synchronized void count() {
        operations++;
    }

    static String normalise(String phase) {
        if (phase.startsWith("copying ") && phase.contains(".")) {
            return "copying tables";
        }
        return phase.length() > 60 ? phase.substring(0, 60) : phase;
    }

    /** One watched operation. */
    final class Running implements AutoCloseable {
        private final Thread poller;
        private volatile boolean stop;

        Running(MaintenanceEngine engine) {
            poller = DaemonThreads.start("keepsake-benchmark-phase-clock", () -> {
                long last = System.nanoTime();
                String phase = "starting";
                while (!stop) {
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    long now = System.nanoTime();
                    add(phase, (now - last) / 1e9);
                    last = now;
                    Optional<Progress> p = engine.status().progress();
                    phase = p.map(x -> normalise(x.phase())).orElse("finishing");
                }
                add(phase, (System.nanoTime() - last) / 1e9);
            });
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            poller.join();
            count();
        }
    }
}
