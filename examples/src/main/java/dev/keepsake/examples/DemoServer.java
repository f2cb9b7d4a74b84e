package dev.keepsake.examples;

import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.core.MaintenanceHooks;
import dev.keepsake.core.Version;
import dev.keepsake.http.BasicAuthenticator;
import dev.keepsake.http.HttpAdapterConfig;
import dev.keepsake.http.MaintenanceServlet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code serve} runs, started in order and stopped in reverse: the data directory lock, the database
 * (embedded, or the one given with {@code --jdbc-url}), the demo schema and volume, the maintenance engine and the
 * HTTPS server. Not thread-safe; {@link #close()} is idempotent.
 */
final class DemoServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DemoServer.class);

    /** Where the maintenance API is mounted (the servlet's own mapping is {@code /api/maintenance/db/*}). */
    static final String API_PATH = "/api/maintenance";

    /** What {@code serve} was asked to run. */
    record Settings(Path dataDir, String host, int port, Version version, DataSource externalDatabase,
                    String externalDatabaseDescription, List<VolumeSpec> volumes, ArchiveKeySource.Loaded key,
                    Map<String, String> env, int retainBackups) {
    }

    private final List<AutoCloseable> started = new ArrayList<>();
    private HttpsServer http;
    private TlsKeyStore tls;
    private AdminPassword password;
    private String databaseDescription;
    private List<VolumeSpec> volumes;
    private boolean closed;

    private DemoServer() {
    }

    static DemoServer start(Settings s) throws Exception {
        DemoServer d = new DemoServer();
        try {
            d.startAll(s);
            return d;
        } catch (Exception | Error e) {
            d.close();
            throw e;
        }
    }

    private void startAll(Settings s) throws Exception {
        Path dataDir = s.dataDir();
        started.add(DataDirectoryLock.acquire(dataDir));
        password = AdminPassword.resolve(s.env(), dataDir);

        DataSource ds;
        MaintenanceHooks hooks = MaintenanceHooks.NONE;
        volumes = new ArrayList<>(s.volumes());
        if (s.externalDatabase() != null) {
            ds = s.externalDatabase();
            DatabaseOptions.ping(ds, s.externalDatabaseDescription());
            databaseDescription = s.externalDatabaseDescription();
        } else {
            EmbeddedDatabase db = EmbeddedDatabase.start(dataDir.resolve("postgres"));
            started.add(db);
            ds = db.dataSource();
            DemoSchema schema = new DemoSchema(ds, s.version());
            int applied = schema.migrate();
            LOG.info("demo schema at version {} ({} migration(s) applied now)", schema.targetVersion(), applied);
            hooks = new MigrateAfterRestore(schema);
            databaseDescription = db.jdbcUrl() + " (embedded PostgreSQL " + db.majorVersion() + ", loopback only, "
                    + db.credentialsHint() + ")";
            if (volumes.isEmpty()) {
                volumes.add(new VolumeSpec(DemoVolume.NAME, DemoVolume.createIfMissing(dataDir)));
            }
        }

        MaintenanceEngine engine = EngineSetup.builder(s.version(), ds, volumes)
                .workDirectory(dataDir.resolve("keepsake"))
                .retainBackups(s.retainBackups())
                .signingKey(s.key().key())
                .hooks(hooks)
                .build();
        started.add(engine);

        tls = TlsKeyStore.loadOrCreate(dataDir.resolve("tls"));
        HttpAdapterConfig config = HttpAdapterConfig.builder()
                .authenticator(BasicAuthenticator.withPasswordHash(AdminPassword.USER, password.hash()))
                .tempDirectory(engine.uploadDirectory()) // same file system as the backups: no copy
                .build();
        http = HttpsServer.start(s.host(), s.port(), tls, new MaintenanceServlet(engine, config),
                MaintenanceServlet.MAPPING);
        started.add(http);
    }

    int port() {
        return http.port();
    }

    AdminPassword password() {
        return password;
    }

    TlsKeyStore tls() {
        return tls;
    }

    String databaseDescription() {
        return databaseDescription;
    }

    List<VolumeSpec> volumes() {
        return List.copyOf(volumes);
    }

    /** Blocks until the HTTPS server stops. */
    void join() throws InterruptedException {
        http.join();
    }

    /** Stops the HTTPS server, then the engine (interrupting a running operation), then the database. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = started.size() - 1; i >= 0; i--) {
            AutoCloseable c = started.get(i);
            try {
                c.close();
            } catch (Exception e) {
                // keep stopping the rest; say what could not be stopped
                LOG.warn("stopping {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
        started.clear();
    }
}
