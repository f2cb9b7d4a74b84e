package dev.keepsake.testkit.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Throwaway clusters of JVMs that died without running their shutdown hooks (e.g. killed by a build timeout) leave a
 * postmaster and a directory behind. Each throwaway directory records its owning JVM; the next JVM stops and deletes
 * those whose owner is gone. Thread-safe.
 */
final class Orphans {

    private static final Logger LOG = LoggerFactory.getLogger(Orphans.class);
    static final String OWNER_FILE = "owner";
    static final String PREFIX = "keepsake-pg";
    private static final Set<Path> REAPED = ConcurrentHashMap.newKeySet();

    private Orphans() {
    }

    /** Records this JVM (pid and start time, which together survive pid reuse) as the directory's owner. */
    static void claim(Path root) throws IOException {
        Files.writeString(root.resolve(OWNER_FILE), identity(ProcessHandle.current()) + "\n", StandardCharsets.UTF_8);
    }

    /** {@link #reap(Path)} once per JVM and temporary root. */
    static void reapOnce(Path temporaryRoot) {
        if (REAPED.add(temporaryRoot.toAbsolutePath().normalize())) {
            reap(temporaryRoot);
        }
    }

    /**
     * Stops the postmaster of, and deletes, every throwaway directory under {@code temporaryRoot} whose owning JVM
     * has exited. Directories without an owner record (being created right now) are left alone.
     *
     * @return the number of directories removed
     */
    static int reap(Path temporaryRoot) {
        int removed = 0;
        if (!Files.isDirectory(temporaryRoot)) {
            return 0;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(temporaryRoot, PREFIX + "*")) {
            for (Path dir : dirs) {
                if (isOrphan(dir)) {
                    Postmaster.of(dir.resolve("data")).ifPresent(p -> Postmaster.kill(p, Duration.ofSeconds(10)));
                    try {
                        Directories.deleteRecursively(dir);
                        removed++;
                        LOG.info("Removed the throwaway PostgreSQL directory {} of a JVM that exited without cleanup",
                                dir);
                    } catch (IOException e) {
                        LOG.warn("Could not remove the orphaned PostgreSQL directory {}: {}", dir, e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not look for orphaned PostgreSQL directories in {}: {}", temporaryRoot, e.getMessage());
        }
        return removed;
    }

    private static boolean isOrphan(Path dir) {
        Path owner = dir.resolve(OWNER_FILE);
        String recorded;
        try {
            recorded = Files.readString(owner, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return false; // no owner record (yet): not ours to judge
        }
        String pid = recorded.split(" ", 2)[0];
        try {
            Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(pid));
            return process.map(p -> !identity(p).equals(recorded)).orElse(true);
        } catch (NumberFormatException e) {
            return false; // not written by us
        }
    }

    private static String identity(ProcessHandle process) {
        return process.pid() + " " + process.info().startInstant().map(Instant::toString).orElse("unknown");
    }
}
