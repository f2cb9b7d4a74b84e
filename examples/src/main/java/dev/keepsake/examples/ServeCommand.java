package dev.keepsake.examples;

import dev.keepsake.core.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code keepsake serve}: the demo. With no database options it runs everything itself (embedded PostgreSQL, demo
 * schema and volume, HTTPS); with {@code --jdbc-url} and {@code --volume} it serves a real database and real volumes.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serves the maintenance API over HTTPS (user admin, HTTP Basic).",
                "Without --jdbc-url it starts its own PostgreSQL with a demo schema and a demo volume under "
                        + "--data-dir; state survives restarts. Stops cleanly on Ctrl-C / SIGTERM."})
final class ServeCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8443",
            description = "HTTPS port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
            description = "Interface to listen on (default: ${DEFAULT-VALUE}, all; 127.0.0.1 for this machine only).")
    String host;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "./keepsake-data",
            description = "Where the demo keeps its database, volume, backups, TLS certificate and password hash "
                    + "(default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Mixin
    DatabaseOptions database;

    @Option(names = "--volume", paramLabel = "NAME=PATH", converter = VolumeSpec.Converter.class,
            description = "A data directory to back up and restore as volume NAME (repeatable; default with the "
                    + "embedded database: uploads=<data-dir>/volumes/uploads).")
    List<VolumeSpec> volumes = new ArrayList<>();

    @Option(names = "--retain", paramLabel = "N", defaultValue = "3",
            description = "How many finished backups to keep (default: ${DEFAULT-VALUE}).")
    int retain;

    @Mixin
    KeyOptions keys;

    @Mixin
    ProductOptions product;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = main.spec.commandLine().getOut();
        if (port < 0 || port > 65535) {
            throw new CommandFailedException(ExitStatus.USAGE, "--port " + port + " is not a port (0-65535)");
        }
        if (retain < 1) {
            throw new CommandFailedException(ExitStatus.USAGE, "--retain " + retain + " must be at least 1");
        }
        Path dir = dataDir.toAbsolutePath().normalize();
        Version version = product.version(main.env());
        ArchiveKeySource.Loaded key = new ArchiveKeySource(main.env()).forWriting(keys.keyFile);
        DataSource external = database.given() ? database.dataSource(main.env()) : null;

        DemoServer server = DemoServer.start(new DemoServer.Settings(dir, host, port, version, external,
                DatabaseOptions.redacted(database.jdbcUrl), volumes, key, main.env(), retain));
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "keepsake-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        printBanner(out, server, dir, version, key, server.password());
        server.join();
        stopped.await();
        return ExitStatus.OK.code();
    }

    private void printBanner(PrintWriter out, DemoServer server, Path dir, Version version,
                             ArchiveKeySource.Loaded key, AdminPassword password) {
        String base = "https://localhost:" + server.port() + DemoServer.API_PATH;
        out.println();
        out.println("Keepsake demo (" + DemoProduct.NAME + " " + version + ") is running: " + base + "/db");
        out.println("  data directory: " + dir);
        out.println("  database:       " + server.databaseDescription());
        server.volumes().forEach(v -> out.println("  volume:         " + v.name() + " = " + v.path()));
        out.println("  TLS:            self-signed certificate " + server.tls().file() + ", SHA-256 "
                + server.tls().fingerprint());
        out.println("  archive key:    id " + key.key().id() + " from " + key.source());
        switch (password.origin()) {
            case ENVIRONMENT -> out.println("  user admin:     password from " + AdminPassword.ENV);
            case GENERATED -> {
                out.println("  user admin:     generated password (shown only now, stored as a PBKDF2 hash in "
                        + dir.resolve(AdminPassword.FILE_NAME) + "):");
                out.println();
                out.println("      " + password.generated().orElseThrow());
                out.println();
            }
            case STORED_HASH -> out.println("  user admin:     the password printed at the first start (stored "
                    + "hashed in " + dir.resolve(AdminPassword.FILE_NAME) + "; delete that file and restart for a "
                    + "new one, or set " + AdminPassword.ENV + ")");
        }
        out.println();
        out.println("Try it (curl asks for the admin password):");
        out.println("  curl -k --header \"Content-Type: application/json\" --request GET -u admin " + base + "/db");
        out.println("  curl -k --request POST -u admin " + base + "/db/backup");
        out.println("  curl -k --request GET -u admin " + base
                + "/db/backup --output /tmp/connectware-db-backup.tgz");
        out.println("  curl -k --request POST -u admin -F \"file=@/tmp/connectware-db-backup.tgz\" " + base
                + "/db/restore");
        out.println();
        out.println("Stop with Ctrl-C.");
        out.flush();
    }
}
