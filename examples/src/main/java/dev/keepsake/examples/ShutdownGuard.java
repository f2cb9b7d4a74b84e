package dev.keepsake.examples;

import dev.keepsake.core.MaintenanceEngine;

/**
 * While a CLI operation runs, closes the engine when the JVM is asked to stop (Ctrl-C, SIGTERM), so that the running
 * backup or restore is interrupted and cleans up (temp files deleted, staged restore aborted) instead of being cut
 * off. Removed again when the command ends normally. Not thread-safe.
 */
final class ShutdownGuard implements AutoCloseable {

    private final Thread hook;

    ShutdownGuard(MaintenanceEngine engine) {
        this.hook = new Thread(engine::close, "keepsake-cli-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs (or ran) and closes the engine
        }
    }
}
