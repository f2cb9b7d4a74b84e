package dev.keepsake.http;

import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.testfixtures.DirectoryPart;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlet.security.ConstraintMapping;
import org.eclipse.jetty.ee10.servlet.security.ConstraintSecurityHandler;
import org.eclipse.jetty.security.Constraint;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.UserStore;
import org.eclipse.jetty.security.authentication.BasicAuthenticator;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.security.Credential;
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
 * Built-in authentication switched off: the container authenticates (Jetty's own Basic login service here) and the
 * servlet only requires the configured role.
 */
class ContainerSecurityTest {

    @TempDir
    Path tmp;

    @Test
    void withContainerManagedSecurityTheConfiguredRoleIsRequired() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        try (MaintenanceEngine engine = TestServer.engine(tmp.resolve("work"), new DirectoryPart("volume:data", data))) {
            Server server = new Server();
            ServerConnector c = new ServerConnector(server);
            c.setHost("127.0.0.1");
            server.addConnector(c);
            ServletContextHandler ctx = new ServletContextHandler();
            ctx.setContextPath("/");

            UserStore users = new UserStore();
            users.addUser("alice", Credential.getCredential("alice-pw"), new String[]{"backup-admin"});
            users.addUser("bob", Credential.getCredential("bob-pw"), new String[]{"viewer"});
            HashLoginService login = new HashLoginService("container-realm");
            login.setUserStore(users);
            ConstraintSecurityHandler security = new ConstraintSecurityHandler();
            security.setLoginService(login);
            security.setAuthenticator(new BasicAuthenticator());
            ConstraintMapping anyUser = new ConstraintMapping();
            anyUser.setPathSpec("/*");
            anyUser.setConstraint(Constraint.ANY_USER);
            security.addConstraintMapping(anyUser);
            ctx.setSecurityHandler(security);

            HttpAdapterConfig config = HttpAdapterConfig.builder().containerManagedSecurity("backup-admin")
                    .tempDirectory(tmp.resolve("uploads")).build();
            ServletHolder holder = new ServletHolder(new MaintenanceServlet(engine, config));
            holder.setAsyncSupported(true);
            ctx.addServlet(holder, MaintenanceServlet.MAPPING);
            server.setHandler(ctx);
            server.start();
            try {
                HttpClient client = HttpClient.newHttpClient();
                URI status = URI.create("http://127.0.0.1:" + c.getLocalPort() + "/api/maintenance/db");
                HttpResponse<String> anon = client.send(HttpRequest.newBuilder(status).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(anon.statusCode()).isEqualTo(401);
                assertThat(anon.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                        assertThat(v).contains("container-realm"));
                HttpResponse<String> viewer = client.send(HttpRequest.newBuilder(status)
                        .header("Authorization", TestServer.basic("bob", "bob-pw")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(viewer.statusCode()).isEqualTo(403);
                assertThat(TestServer.JSON.readTree(viewer.body()).get("type").asText())
                        .isEqualTo("urn:keepsake:problem:forbidden");
                HttpResponse<String> admin = client.send(HttpRequest.newBuilder(status)
                        .header("Authorization", TestServer.basic("alice", "alice-pw")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(admin.statusCode()).isEqualTo(200);
                assertThat(TestServer.JSON.readTree(admin.body()).has("backup")).isTrue();
            } finally {
                server.stop();
            }
        }
    }
}
