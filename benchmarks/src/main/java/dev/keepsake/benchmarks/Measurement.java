package dev.keepsake.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * The timings of one contender across rounds, the size of what it wrote and, for Keepsake, the heap it needed. Not
 * thread-safe (filled by the benchmark's thread).
 */
final class Measurement {

    private final String name;
    private final List<Double> seconds = new ArrayList<>();
    private long outputBytes = -1;
    private HeapWatch.Peak heap;
    private final List<Double> cpuSeconds = new ArrayList<>();

    Measurement(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    void add(double wallSeconds) {
        seconds.add(wallSeconds);
    }

    /** Forgets the wall and CPU times recorded so far (after a warm-up run); the peak heap and the size stay. */
    void discardTimings() {
        seconds.clear();
        cpuSeconds.clear();
    }

    List<Double> seconds() {
        return List.copyOf(seconds);
    }

    void outputBytes(long bytes) {
        outputBytes = bytes;
    }

    long outputBytes() {
        return outputBytes;
    }

    void heap(HeapWatch.Peak peak) {
        heap = heap == null ? peak : heap.max(peak);
        cpuSeconds.add(peak.cpuNanos() / 1e9);
    }

    /** The median CPU time of this JVM during the operation, or -1 for the reference tools. */
    double medianCpu() {
        return cpuSeconds.isEmpty() ? -1 : median(cpuSeconds);
    }

    /** The highest heap seen over all rounds; null for the reference tools (they run in their own processes). */
    HeapWatch.Peak heap() {
        return heap;
    }

    /** The median wall time in seconds (the mean of the middle two for an even count). */
    double median() {
        if (seconds.isEmpty()) {
            throw new IllegalStateException(name + " has no measurement");
        }
        return median(seconds);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
