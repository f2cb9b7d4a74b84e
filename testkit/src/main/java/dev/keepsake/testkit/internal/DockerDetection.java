package dev.keepsake.testkit.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Cheap checks for the docker strategy. Kept apart from {@link DockerCluster}, which references Testcontainers
 * types: loading that class without Testcontainers on the class path could fail. Stateless and thread-safe.
 */
final class DockerDetection {

    static final String TESTCONTAINERS_CLASS = "org.testcontainers.containers.PostgreSQLContainer";

    private DockerDetection() {
    }

    /** Whether Testcontainers is on the class path (looked up without initialising anything). */
    static boolean testcontainersPresent() {
        try {
            Class.forName(TESTCONTAINERS_CLASS, false, DockerDetection.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false; // optional dependency absent: the docker strategy does not apply
        }
    }

    /**
     * Cheap hint that a Docker engine may exist (DOCKER_HOST, a docker socket, or Testcontainers configuration),
     * so that machines without Docker never pay for Testcontainers' own, slower detection.
     */
    static String dockerHint() {
        if (System.getenv("DOCKER_HOST") != null) {
            return "DOCKER_HOST";
        }
        String home = System.getProperty("user.home");
        List<Path> candidates = new ArrayList<>(List.of(Path.of("/var/run/docker.sock"), Path.of("/run/docker.sock")));
        if (home != null) {
            candidates.add(Path.of(home, ".docker", "run", "docker.sock"));
            candidates.add(Path.of(home, ".testcontainers.properties"));
        }
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null) {
            candidates.add(Path.of(runtime, "docker.sock"));
        }
        return candidates.stream().filter(Files::exists).map(Path::toString).findFirst().orElse(null);
    }

}
