package dev.keepsake.examples;

import jakarta.servlet.Servlet;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;

/**
 * The demo's embedded Jetty 12 (ee10): one HTTPS connector (TLS 1.2+, the self-signed certificate) and one servlet.
 * Not thread-safe; start once, stop once.
 */
final class HttpsServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpsServer.class);

    static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Server server;
    private final ServerConnector connector;

    private HttpsServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /**
     * Starts serving {@code servlet} (asynchronous support on) at {@code pathSpec}.
     *
     * @param host the interface to listen on ({@code 0.0.0.0} for all)
     * @param port the port, 0 for a free one
     */
    static HttpsServer start(String host, int port, TlsKeyStore tls, Servlet servlet, String pathSpec)
            throws IOException {
        QueuedThreadPool threads = new QueuedThreadPool(50, 4);
        threads.setName("keepsake-http");
        threads.setDaemon(true);
        Server server = new Server(threads);
        server.setStopTimeout(STOP_TIMEOUT.toMillis());
        server.setStopAtShutdown(false); // the serve command stops everything in order on SIGTERM

        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(tls.keyStore());
        ssl.setKeyStorePassword(tls.password());
        ssl.setKeyManagerPassword(tls.password());
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        ssl.setSniRequired(false);

        HttpConfiguration https = new HttpConfiguration();
        https.setSendServerVersion(false);
        https.setSendXPoweredBy(false);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false); // clients reach the demo as localhost, 127.0.0.1 or the host's name
        https.addCustomizer(secure);

        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                new HttpConnectionFactory(https));
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder holder = new ServletHolder("keepsake", servlet);
        holder.setAsyncSupported(true); // the maintenance servlet reads uploads without blocking a thread
        context.addServlet(holder, pathSpec);
        server.setHandler(context);
        try {
            server.start();
        } catch (Exception e) {
            stopQuietly(server);
            if (e instanceof IOException io) {
                throw new IOException("cannot listen on " + host + ":" + port + ": " + io.getMessage()
                        + " (is another server using the port? choose another with --port)", io);
            }
            throw new IOException("cannot start the HTTPS server: " + e.getMessage(), e);
        }
        return new HttpsServer(server, connector);
    }

    int port() {
        return connector.getLocalPort();
    }

    void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() {
        stopQuietly(server);
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            // best effort while shutting down: say what failed and carry on stopping the rest
            LOG.warn("stopping the HTTPS server failed: {}", e.toString());
        }
    }
}
