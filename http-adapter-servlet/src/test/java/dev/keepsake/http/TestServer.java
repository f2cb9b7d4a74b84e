package dev.keepsake.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keepsake.core.ArchiveKey;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.core.Version;
import dev.keepsake.testfixtures.DirectoryPart;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** A real Jetty 12 (ee10) with the maintenance servlet over a real engine; for the end-to-end tests. */
final class TestServer implements AutoCloseable {

    static final String USER = "admin";
    static final String PASSWORD = "correct horse battery staple";
    /** Hashed once per JVM with the default (production) cost. */
    static final PasswordHash HASH = PasswordHash.create(PASSWORD.toCharArray());
    static final Version PRODUCT_VERSION = Version.parse("1.0.73");
    static final ObjectMapper JSON = new ObjectMapper();

    final Server server;
    final URI base;
    final HttpClient client;
    final boolean https;

    private TestServer(Server server, URI base, HttpClient client, boolean https) {
        this.server = server;
        this.base = base;
        this.client = client;
        this.https = https;
    }

    /** An engine over {@code parts} with a signing key, working in {@code work}. */
    static MaintenanceEngine engine(Path work, DirectoryPart... parts) {
        return engine(work, b -> {
            for (DirectoryPart p : parts) {
                b.part(p);
            }
        });
    }

    /** An engine with a signing key, working in {@code work}, whose parts {@code parts} adds. */
    static MaintenanceEngine engine(Path work, java.util.function.Consumer<MaintenanceEngine.Builder> parts) {
        MaintenanceEngine.Builder b = MaintenanceEngine.builder()
                .product("keepsake-http-test", PRODUCT_VERSION)
                .workDirectory(work)
                .signingKey(ArchiveKey.of("test-key", "0123456789abcdef0123456789abcdef-test".getBytes(StandardCharsets.US_ASCII)));
        parts.accept(b);
        return b.build();
    }

    /** The usual configuration: Basic auth with {@link #USER}/{@link #PASSWORD}, uploads into {@code temp}. */
    static HttpAdapterConfig.Builder config(Path temp) {
        return HttpAdapterConfig.builder()
                .authenticator(BasicAuthenticator.withPasswordHash(USER, HASH))
                .tempDirectory(temp);
    }

    static TestServer start(MaintenanceEngine engine, HttpAdapterConfig config, boolean https) throws Exception {
        return start(new MaintenanceServlet(engine, config), https);
    }

    static TestServer start(MaintenanceServlet servlet, boolean https) throws Exception {
        return start(servlet, https, true, Duration.ofSeconds(30));
    }

    /**
     * @param async        whether the servlet is registered with asyncSupported (non-blocking uploads)
     * @param connectorIdle the container's idle timeout
     */
    static TestServer start(MaintenanceServlet servlet, boolean https, boolean async, Duration connectorIdle)
            throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("test-jetty");
        Server server = new Server(threads);
        HttpConfiguration hc = new HttpConfiguration();
        ServerConnector connector;
        if (https) {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(TestCertificate.keystore().toString());
            ssl.setKeyStorePassword(TestCertificate.PASSWORD);
            ssl.setKeyStoreType("PKCS12");
            hc.addCustomizer(new SecureRequestCustomizer(false));
            connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                    new HttpConnectionFactory(hc));
        } else {
            connector = new ServerConnector(server, new HttpConnectionFactory(hc));
        }
        connector.setHost("127.0.0.1");
        connector.setIdleTimeout(connectorIdle.toMillis());
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder holder = new ServletHolder("keepsake", servlet);
        holder.setAsyncSupported(async);
        context.addServlet(holder, MaintenanceServlet.MAPPING);
        server.setHandler(context);
        server.start();
        URI base = URI.create((https ? "https" : "http") + "://127.0.0.1:" + connector.getLocalPort()
                + "/api/maintenance/db");
        HttpClient.Builder cb = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10));
        if (https) {
            cb.sslContext(TestCertificate.clientContext());
        }
        return new TestServer(server, base, cb.build(), https);
    }

    URI uri(String path) {
        return URI.create(base + path);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", basic(USER, PASSWORD));
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path) throws IOException, InterruptedException {
        return client.send(request(path).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode status() throws IOException, InterruptedException {
        HttpResponse<String> r = get("");
        if (r.statusCode() != 200) {
            throw new IllegalStateException("status gave " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** Polls the status until {@code done} holds (at most 2 minutes); returns that status. */
    JsonNode awaitStatus(Predicate<JsonNode> done) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        JsonNode s = status();
        while (!done.test(s)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("status did not reach the expected state: " + s);
            }
            Thread.sleep(50);
            s = status();
        }
        return s;
    }

    /** Waits until no operation runs. */
    JsonNode awaitIdle() throws IOException, InterruptedException {
        return awaitStatus(s -> !s.get("running").asBoolean());
    }

    /** Starts a backup and waits until it succeeded. */
    JsonNode backupNow() throws IOException, InterruptedException {
        HttpResponse<String> r = post("/backup");
        if (r.statusCode() != 202) {
            throw new AssertionError("backup POST gave " + r.statusCode() + ": " + r.body());
        }
        String id = JSON.readTree(r.body()).get("id").asText();
        JsonNode s = awaitStatus(st -> !st.get("running").asBoolean() && id.equals(st.get("backup").get("id").asText()));
        if (!s.get("backup").get("succeded").asBoolean()) {
            throw new AssertionError("backup failed: " + s);
        }
        return s;
    }

    /** A multipart/form-data body with the given file as field {@code name}, streamed from disk. */
    static HttpRequest.BodyPublisher multipart(String boundary, String name, Path file) throws IOException {
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\""
                + file.getFileName() + "\"\r\nContent-Type: application/gzip\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        return HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofString(head),
                HttpRequest.BodyPublishers.ofFile(file), HttpRequest.BodyPublishers.ofString(tail));
    }

    HttpResponse<String> upload(Path file) throws IOException, InterruptedException {
        String boundary = "keepsake-test-" + System.nanoTime();
        return client.send(request("/restore")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(multipart(boundary, "file", file)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The files left in a directory (e.g. the upload temp directory). */
    static List<Path> filesIn(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.toList());
        }
    }

    /** Runs curl with the given arguments; returns its stdout (and fails on a non-zero exit). */
    static String curl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("curl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("curl timed out: " + cmd);
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("curl exited with " + p.exitValue() + ": " + cmd);
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /**
     * Sends {@code head} (request line and headers, ending with an empty line) over a raw socket, and returns what
     * the server answers until it closes the connection or {@code 10 s} pass without data.
     */
    static String raw(int port, String head) throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            StringBuilder b = new StringBuilder();
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = s.getInputStream().read(buf)) > 0) {
                    b.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                }
            } catch (java.net.SocketTimeoutException | java.net.SocketException e) {
                // keep what arrived: the answer was sent, the connection was just not closed (or was reset)
                b.append("");
            }
            return b.toString();
        }
    }

    /** A restore request head announcing {@code contentLength} body bytes. */
    static String restoreHead(int port, long contentLength) {
        return "POST /api/maintenance/db/restore HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + "Authorization: " + basic(USER, PASSWORD) + "\r\n"
                + "Content-Type: multipart/form-data; boundary=XyZ\r\n"
                + "Content-Length: " + contentLength + "\r\n\r\n";
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("stopping Jetty failed", e);
        }
    }
}
