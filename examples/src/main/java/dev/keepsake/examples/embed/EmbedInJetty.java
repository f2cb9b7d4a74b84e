package dev.keepsake.examples.embed;

import dev.keepsake.core.ArchiveKey;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.core.RestoreBarrier;
import dev.keepsake.core.Version;
import dev.keepsake.core.VersionCompatibility;
import dev.keepsake.http.BasicAuthenticator;
import dev.keepsake.http.HttpAdapterConfig;
import dev.keepsake.http.MaintenanceServlet;
import dev.keepsake.postgres.CopySocketFactory;
import dev.keepsake.postgres.PostgresPart;
import dev.keepsake.volume.VolumePart;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * How a product team adds Keepsake to a service that already runs Jetty 12: build the engine from the service's
 * {@link DataSource} and data directory, and add the servlet to the service's own servlet context. The README's quick
 * start is the region between the {@code quickstart} tags. Run it with
 * {@code JDBC_URL=jdbc:postgresql://localhost/app?user=app&password=... KEEPSAKE_ARCHIVE_KEY=$(head -c 32 /dev/urandom | base64)
 * KEEPSAKE_ADMIN_PASSWORD_HASH='pbkdf2-sha256$...' java -cp keepsake.jar dev.keepsake.examples.embed.EmbedInJetty}.
 * Stateless; {@link #addKeepsake} may be called from any thread before the context starts.
 */
public final class EmbedInJetty {

    private EmbedInJetty() {
    }

    public static void main(String[] args) throws Exception {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(System.getenv("JDBC_URL"));
        dataSource.setSocketFactory(CopySocketFactory.class.getName()); // cheaper backups; other reads pass through
        ServletContextHandler context = new ServletContextHandler("/"); // the service's existing context
        try (MaintenanceEngine engine = addKeepsake(context, dataSource, Path.of("/var/lib/my-service"),
                System.getenv("KEEPSAKE_ARCHIVE_KEY"), System.getenv("KEEPSAKE_ADMIN_PASSWORD_HASH"))) {
            Server server = new Server(8080); // TLS: terminate it here or at the service's reverse proxy
            server.setHandler(context);
            server.start();
            server.join();
        }
    }

    /** Adds the maintenance API to {@code context}; the caller closes the returned engine when the service stops. */
    public static MaintenanceEngine addKeepsake(ServletContextHandler context, DataSource dataSource, Path stateDir,
                                                String archiveKeyBase64, String adminPasswordHash) {
        // tag::quickstart[]
        MaintenanceEngine engine = MaintenanceEngine.builder()
                .product("my-service", Version.parse("2.4.0"))
                .part(PostgresPart.builder().dataSource(dataSource).build())
                .part(VolumePart.builder().name("uploads").path(stateDir.resolve("uploads")).build())
                .workDirectory(stateDir.resolve("keepsake"))           // status and the latest backups
                .signingKey(ArchiveKey.of("k1", Base64.getDecoder().decode(archiveKeyBase64)))
                .compatibility(VersionCompatibility.barriers(List.of(
                        RestoreBarrier.from("2.0.0").refusesOlderThan("1.5.0").lastAbleToRestore("1.9.9"))))
                .build();

        HttpAdapterConfig config = HttpAdapterConfig.builder()
                .authenticator(BasicAuthenticator.withPasswordHash("admin", adminPasswordHash))
                .tempDirectory(engine.uploadDirectory())           // uploads stream here, never to the heap
                .build();

        ServletHolder keepsake = new ServletHolder(new MaintenanceServlet(engine, config));
        keepsake.setAsyncSupported(true);
        context.addServlet(keepsake, MaintenanceServlet.MAPPING);     // /api/maintenance/db/*
        // end::quickstart[]
        return engine;
    }
}
