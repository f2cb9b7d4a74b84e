package dev.keepsake.benchmarks;

import dev.keepsake.core.spi.support.DaemonThreads;
import com.sun.management.GarbageCollectionNotificationInfo;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Watches this JVM's heap while an operation runs: the highest heap use seen (sampled every few milliseconds and
 * taken from every collection's "before" figures, where the heap peaks) and the highest heap still in use right after
 * a collection (the live set, what a smaller {@code -Xmx} would still have to hold). Thread-safe; one watch at a time
 * per instance.
 */
final class HeapWatch implements AutoCloseable {

    /**
     * Peak heap of one watched interval, in bytes, and the CPU time this JVM used in it (all its threads: Keepsake's,
     * the JIT's, the collector's), in nanoseconds.
     */
    record Peak(long used, long liveAfterGc, int collections, long cpuNanos) {
        /** The highest figures of two intervals; the CPU time of the later one. */
        Peak max(Peak other) {
            return new Peak(Math.max(used, other.used), Math.max(liveAfterGc, other.liveAfterGc),
                    collections + other.collections, other.cpuNanos);
        }
    }

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong liveAfterGc = new AtomicLong();
    private final AtomicLong collections = new AtomicLong();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onCollection;
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private volatile boolean sampling;
    private Thread sampler;
    private long cpuAtStart;

    HeapWatch() {
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
                emitters.add(emitter);
            }
        }
    }

    /** The heap limit of this JVM ({@code -Xmx}), in bytes. */
    static long maxHeap() {
        return Runtime.getRuntime().maxMemory();
    }

    /** Starts watching (after a full collection, so earlier garbage is not counted). */
    void start() {
        System.gc();
        used.set(memory.getHeapMemoryUsage().getUsed());
        liveAfterGc.set(0);
        collections.set(0);
        sampling = true;
        cpuAtStart = os.getProcessCpuTime();
        sampler = DaemonThreads.start("keepsake-benchmark-heap-sampler", () -> {
            while (sampling) {
                used.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        });
    }

    /** Stops watching and returns the peak of the interval. */
    Peak stop() throws InterruptedException {
        sampling = false;
        sampler.join();
        used.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        return new Peak(used.get(), liveAfterGc.get(), (int) collections.get(), os.getProcessCpuTime() - cpuAtStart);
    }

    private void onCollection(Notification notification, Object handback) {
        if (!sampling || !GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION
                .equals(notification.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo
                .from((CompositeData) notification.getUserData());
        used.accumulateAndGet(heapTotal(info.getGcInfo().getMemoryUsageBeforeGc()), Math::max);
        liveAfterGc.accumulateAndGet(heapTotal(info.getGcInfo().getMemoryUsageAfterGc()), Math::max);
        collections.incrementAndGet();
    }

    private long heapTotal(Map<String, MemoryUsage> byPool) {
        long total = 0;
        for (Map.Entry<String, MemoryUsage> e : byPool.entrySet()) {
            if (heapPools.contains(e.getKey())) {
                total += e.getValue().getUsed();
            }
        }
        return total;
    }

    @Override
    public void close() {
        sampling = false;
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(listener);
            } catch (ListenerNotFoundException e) {
                // already removed: nothing to undo
            }
        }
    }
}
