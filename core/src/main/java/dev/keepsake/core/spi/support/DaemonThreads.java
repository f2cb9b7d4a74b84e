package dev.keepsake.core.spi.support;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named daemon threads: every thread Keepsake starts is a daemon (a stuck operation never keeps the JVM alive; the
 * engine's close interrupts and joins them) and has a name that says what it does and for which operation
 * ({@code keepsake-gzip-3}, {@code keepsake-pg-copy-1-<operation id>}). Stateless apart from the counter of each
 * factory; thread-safe.
 */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /**
     * A factory whose threads are named {@code <prefix>-<n>}, or {@code <prefix>-<n>-<suffix>} when {@code suffix} is
     * not null (e.g. an operation id), numbered from 1.
     */
    public static ThreadFactory factory(String prefix, String suffix) {
        Objects.requireNonNull(prefix, "prefix");
        AtomicInteger n = new AtomicInteger();
        return r -> newThread(r, prefix + "-" + n.incrementAndGet() + (suffix == null ? "" : "-" + suffix));
    }

    /** A factory whose threads are named {@code <prefix>-<n>}. */
    public static ThreadFactory factory(String prefix) {
        return factory(prefix, null);
    }

    /** A daemon thread named {@code name}, not started. */
    public static Thread newThread(Runnable task, String name) {
        Thread t = new Thread(task, Objects.requireNonNull(name, "name"));
        t.setDaemon(true);
        return t;
    }

    /** Starts a daemon thread named {@code name} running {@code task}. */
    public static Thread start(String name, Runnable task) {
        Thread t = newThread(task, name);
        t.start();
        return t;
    }
}
