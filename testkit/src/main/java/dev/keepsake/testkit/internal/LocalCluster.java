package dev.keepsake.testkit.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster run from locally installed binaries ({@code <local root>/<major>/bin}). PostgreSQL refuses to run as
 * root, so as root every command runs as an unprivileged user ({@code runuser -u <user> --}, else {@code setpriv}),
 * and the cluster's directories are handed to that user.
 */
final class LocalCluster implements RunningCluster {

    private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
    private static final String INCLUDE_FILE = "keepsake.conf";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

    private final ClusterSpec spec;
    private final Path bin;
    private final List<String> runAs;
    private final String description;
    private final Runnable afterStop;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalCluster(ClusterSpec spec, Path bin, List<String> runAs, String description, Runnable afterStop) {
        this.spec = spec;
        this.bin = bin;
        this.runAs = runAs;
        this.description = description;
        this.afterStop = afterStop;
    }

    /** The bin directory for a major, or a reason why it is unusable. */
    static Path binDirectory(Path localRoot, int major) throws IOException {
        Path bin = localRoot.resolve(Integer.toString(major)).resolve("bin");
        for (String tool : List.of("initdb", "pg_ctl", "postgres")) {
            if (!Files.isExecutable(bin.resolve(tool))) {
                throw new IOException("no executable " + bin.resolve(tool) + " (install the PostgreSQL " + major
                        + " server package, e.g. postgresql-" + major + ")");
            }
        }
        return bin;
    }

    /**
     * Starts (running initdb first when the data directory holds no cluster).
     *
     * @param ownerRoot the directory to hand to the unprivileged user when running as root (the data directory's
     *                  parent for a throwaway cluster, the data directory itself for a persistent one)
     */
    static LocalCluster start(ClusterSpec spec, Path localRoot, String localUser, Path ownerRoot, Runnable afterStop)
            throws IOException {
        Path bin = binDirectory(localRoot, spec.major());
        List<String> runAs = new ArrayList<>();
        String who = System.getProperty("user.name");
        if (ZonkyCluster.isRoot()) {
            runAs.addAll(runAsPrefix(localUser));
            handOver(ownerRoot, localUser);
            who = localUser;
        }
        Path log = spec.workDirectory().resolve("local-postgres.log");
        Path data = spec.dataDirectory();
        if (!Files.exists(data.resolve("PG_VERSION"))) {
            List<String> initdb = new ArrayList<>(runAs);
            initdb.addAll(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", ClusterSpec.SUPERUSER,
                    "-A", "trust", "-E", "UTF8", "--locale=C"));
            if (!spec.durable()) {
                initdb.add("--no-sync");
            }
            Commands.Result result = Commands.run(initdb, spec.workDirectory(), log, COMMAND_TIMEOUT);
            if (!result.ok()) {
                throw new IOException("initdb exited with " + result.exitCode() + " (log: " + Commands.tail(log, 6) + ")");
            }
        }
        writeSettings(data, spec.serverSettings(), localUser);

        List<String> pgCtl = new ArrayList<>(runAs);
        pgCtl.addAll(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(),
                "-l", spec.workDirectory().resolve("postgres.log").toString(), "-w", "-t", "60", "start"));
        Commands.Result result = Commands.run(pgCtl, spec.workDirectory(), log, COMMAND_TIMEOUT);
        if (!result.ok()) {
            Postmaster.of(data).ifPresent(p -> Postmaster.kill(p, Duration.ofSeconds(10)));
            throw new IOException("pg_ctl start exited with " + result.exitCode() + " (log: "
                    + Commands.tail(spec.workDirectory().resolve("postgres.log"), 6) + ")");
        }
        String description = "local " + bin.getParent() + " as " + who + " on " + ClusterSpec.HOST + ":" + spec.port()
                + ", data in " + data;
        LocalCluster cluster = new LocalCluster(spec, bin, runAs, description, afterStop);
        try {
            PasswordAuthentication.enforce(cluster, spec);
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private static List<String> runAsPrefix(String user) throws IOException {
        Commands.Result id = Commands.run(List.of("id", "-u", user), null, null, Duration.ofSeconds(10));
        if (!id.ok()) {
            throw new IOException("running as root needs an unprivileged user to run PostgreSQL, but user '" + user
                    + "' does not exist (create it or set keepsake.testkit.local.user)");
        }
        Path runuser = Commands.onPath("runuser");
        if (runuser != null) {
            return List.of(runuser.toString(), "-u", user, "--");
        }
        Path setpriv = Commands.onPath("setpriv");
        if (setpriv != null) {
            Commands.Result group = Commands.run(List.of("id", "-g", user), null, null, Duration.ofSeconds(10));
            return List.of(setpriv.toString(), "--reuid=" + user, "--regid=" + group.output().trim(), "--init-groups");
        }
        throw new IOException("running as root needs runuser or setpriv (util-linux) to switch to user '" + user + "'");
    }

    /** Gives {@code root} (recursively) to {@code user} and its primary group. */
    private static void handOver(Path root, String user) throws IOException {
        Files.createDirectories(root);
        UserPrincipalLookupService lookup = root.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal owner = lookup.lookupPrincipalByName(user);
        Commands.Result groupName = Commands.run(List.of("id", "-gn", user), null, null, Duration.ofSeconds(10));
        GroupPrincipal group = groupName.ok() ? lookup.lookupPrincipalByGroupName(groupName.output().trim()) : null;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
                view.setOwner(owner);
                if (group != null) {
                    view.setGroup(group);
                }
            }
        }
        Path parent = root.getParent();
        while (parent != null) {
            if (!Files.isReadable(parent) || !canTraverse(parent)) {
                throw new IOException(parent + " is not searchable by others, so user '" + user + "' cannot reach "
                        + root + ": choose a directory outside it");
            }
            parent = parent.getParent();
        }
    }

    private static boolean canTraverse(Path dir) throws IOException {
        return Files.getPosixFilePermissions(dir).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
    }

    /**
     * Writes our settings to {@code keepsake.conf} in the data directory and includes it from postgresql.conf once;
     * rewritten at every start (the port may change between starts of a persistent cluster).
     */
    private static void writeSettings(Path data, Map<String, String> settings, String owner) throws IOException {
        StringBuilder conf = new StringBuilder("# written by the Keepsake testkit at every start\n");
        settings.forEach((name, value) ->
                conf.append(name).append(" = '").append(value.replace("'", "''")).append("'\n"));
        Path include = data.resolve(INCLUDE_FILE);
        Files.writeString(include, conf, StandardCharsets.UTF_8);
        Path postgresqlConf = data.resolve("postgresql.conf");
        String current = Files.readString(postgresqlConf, StandardCharsets.UTF_8);
        String line = "include_if_exists = '" + INCLUDE_FILE + "'";
        if (!current.contains(line)) {
            Files.writeString(postgresqlConf, "\n" + line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }
        if (ZonkyCluster.isRoot()) {
            UserPrincipal user = data.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(owner);
            Files.setOwner(include, user);
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
        List<String> stop = new ArrayList<>(runAs);
        stop.addAll(List.of(bin.resolve("pg_ctl").toString(), "-D", spec.dataDirectory().toString(),
                "-m", "fast", "-w", "-t", "30", "stop"));
        try {
            Commands.Result result = Commands.run(stop, spec.workDirectory(), null, Duration.ofSeconds(60));
            if (!result.ok()) {
                LOG.warn("pg_ctl stop for port {} exited with {}: {}", spec.port(), result.exitCode(), result.output());
            }
        } catch (IOException e) {
            LOG.warn("pg_ctl stop for port {} failed: {}", spec.port(), e.getMessage());
        }
        Postmaster.of(spec.dataDirectory()).ifPresent(p -> {
            LOG.warn("PostgreSQL on port {} still running after pg_ctl stop; killing pid {}", spec.port(), p.pid());
            Postmaster.kill(p, Duration.ofSeconds(10));
        });
        afterStop.run();
    }
}
