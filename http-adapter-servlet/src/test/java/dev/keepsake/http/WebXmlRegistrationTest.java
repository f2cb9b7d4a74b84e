package dev.keepsake.http;

import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.testfixtures.DirectoryPart;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The servlet declared the web.xml way: by class name with init parameters, the engine in a context attribute.
 */
class WebXmlRegistrationTest {

    @TempDir
    Path tmp;

    @Test
    void servletDeclaredByClassWithInitParametersServesTheApi() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        try (MaintenanceEngine engine = TestServer.engine(tmp.resolve("work"), new DirectoryPart("volume:data", data))) {
            Server server = new Server();
            ServerConnector c = new ServerConnector(server);
            c.setHost("127.0.0.1");
            server.addConnector(c);
            ServletContextHandler ctx = new ServletContextHandler();
            ctx.setContextPath("/app");
            ctx.setAttribute(MaintenanceServlet.ENGINE_ATTRIBUTE, engine);
            ServletHolder h = ctx.addServlet(MaintenanceServlet.class, MaintenanceServlet.MAPPING);
            h.setAsyncSupported(true);
            h.setInitParameter("basic-user", "ops");
            h.setInitParameter("basic-password-hash", TestServer.HASH.encoded());
            h.setInitParameter("realm", "backups");
            h.setInitParameter("max-upload-size", "1MiB");
            server.setHandler(ctx);
            server.start();
            try {
                HttpClient client = HttpClient.newHttpClient();
                URI base = URI.create("http://127.0.0.1:" + c.getLocalPort() + "/app/api/maintenance/db");
                HttpResponse<String> anon = client.send(HttpRequest.newBuilder(base).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(anon.statusCode()).isEqualTo(401);
                assertThat(anon.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                        assertThat(v).startsWith("Basic realm=\"backups\""));
                HttpResponse<String> ok = client.send(HttpRequest.newBuilder(base)
                        .header("Authorization", TestServer.basic("ops", TestServer.PASSWORD)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(ok.statusCode()).isEqualTo(200);
                assertThat(TestServer.JSON.readTree(ok.body()).has("backup")).isTrue();
                HttpResponse<String> started = client.send(HttpRequest.newBuilder(URI.create(base + "/backup"))
                        .header("Authorization", TestServer.basic("ops", TestServer.PASSWORD))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(started.statusCode()).isEqualTo(202);
                assertThat(started.headers().firstValue("Location")).contains("/app/api/maintenance/db");
                while (TestServer.JSON.readTree(client.send(HttpRequest.newBuilder(base)
                        .header("Authorization", TestServer.basic("ops", TestServer.PASSWORD)).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).get("running").asBoolean()) {
                    Thread.sleep(50);
                }
            } finally {
                server.stop();
            }
        }
    }
}
