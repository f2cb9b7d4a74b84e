package dev.keepsake.testkit.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A cluster in a Docker container through Testcontainers' PostgreSQL module. Only loaded when Testcontainers is on
 * the class path (it is an optional dependency) and a Docker engine is likely present; not exercised by our own CI,
 * which has no Docker engine.
 */
final class DockerCluster implements RunningCluster {

    static final String TESTCONTAINERS_CLASS = "org.testcontainers.containers.PostgreSQLContainer";

    private final PostgreSQLContainer<?> container;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DockerCluster(PostgreSQLContainer<?> container) {
        this.container = container;
    }

    /** Whether Testcontainers is on the class path (without loading this class's Testcontainers references). */
    static boolean testcontainersPresent() {
        try {
            Class.forName(TESTCONTAINERS_CLASS, false, DockerCluster.class.getClassLoader());
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

    static DockerCluster start(int major, Map<String, String> settings) throws IOException {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IOException("Testcontainers found no usable Docker engine");
        }
        List<String> command = new ArrayList<>(List.of("postgres"));
        settings.forEach((name, value) -> {
            if (!name.equals("port") && !name.equals("listen_addresses") && !name.equals("unix_socket_directories")) {
                command.add("-c");
                command.add(name + "=" + value);
            }
        });
        PostgreSQLContainer<?> container = new PostgreSQLContainer<>(
                DockerImageName.parse("postgres:" + major + "-alpine").asCompatibleSubstituteFor("postgres"))
                .withUsername(ClusterSpec.SUPERUSER)
                .withPassword(UUID.randomUUID().toString())
                .withDatabaseName("postgres");
        container.setCommand(command.toArray(String[]::new));
        try {
            container.start();
        } catch (RuntimeException e) {
            container.close();
            throw new IOException("the postgres:" + major + "-alpine container did not start: " + e.getMessage(), e);
        }
        return new DockerCluster(container);
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT);
    }

    @Override
    public String superuser() {
        return container.getUsername();
    }

    @Override
    public String password() {
        return container.getPassword();
    }

    @Override
    public String description() {
        return "Testcontainers " + container.getDockerImageName() + " on " + host() + ":" + port();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            container.close();
        }
    }
}
