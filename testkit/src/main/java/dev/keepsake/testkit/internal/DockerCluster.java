package dev.keepsake.testkit.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A cluster in a Docker container through Testcontainers' PostgreSQL module. Only touched after
 * {@link DockerDetection} found Testcontainers on the class path (it is an optional dependency) and a hint of a
 * Docker engine; not exercised by our own CI, which has no Docker engine.
 */
final class DockerCluster implements RunningCluster {

    private final PostgreSQLContainer<?> container;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DockerCluster(PostgreSQLContainer<?> container) {
        this.container = container;
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
