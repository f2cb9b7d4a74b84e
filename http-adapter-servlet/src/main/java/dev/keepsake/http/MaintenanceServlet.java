package dev.keepsake.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keepsake.core.KeepsakeException;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.core.Operation;
import dev.keepsake.core.OperationInProgressException;
import dev.keepsake.core.spi.BackupStore.StoredBackup;
import dev.keepsake.core.spi.support.DaemonThreads;
import dev.keepsake.http.internal.Accepted;
import dev.keepsake.http.internal.Endpoint;
import dev.keepsake.http.internal.InitParams;
import dev.keepsake.http.internal.StatusJson;
import dev.keepsake.http.internal.download.BackupDownload;
import dev.keepsake.http.internal.problem.EngineErrors;
import dev.keepsake.http.internal.problem.ProblemType;
import dev.keepsake.http.internal.problem.Problems;
import dev.keepsake.http.internal.security.CrossSiteCheck;
import dev.keepsake.http.internal.security.FailureBackoff;
import dev.keepsake.http.internal.upload.RestoreUpload;
import dev.keepsake.http.internal.upload.UploadRegistry;
import dev.keepsake.http.spi.Authenticator;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.UnavailableException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The maintenance REST API over a {@link MaintenanceEngine}, as a Jakarta Servlet 6 servlet. Map it to
 * {@value #MAPPING}; below it:
 *
 * <table>
 *   <caption>Endpoints</caption>
 *   <tr><th>call</th><th>answer</th></tr>
 *   <tr><td>{@code GET|HEAD /api/maintenance/db}</td><td>200, the status JSON</td></tr>
 *   <tr><td>{@code POST /api/maintenance/db/backup}</td><td>202 + {@code Location}; 409 while an operation runs</td></tr>
 *   <tr><td>{@code GET|HEAD /api/maintenance/db/backup}</td><td>200/206, the latest finished backup; 404 if none;
 *       416 for an unsatisfiable range</td></tr>
 *   <tr><td>{@code POST /api/maintenance/db/restore}</td><td>multipart field {@code file}: 202 once stored; 400,
 *       408, 409, 413, 415</td></tr>
 *   <tr><td>{@code GET|HEAD /api/maintenance/db/openapi.json}</td><td>200, the OpenAPI 3 document</td></tr>
 * </table>
 * Every call needs valid credentials (401 with {@code WWW-Authenticate} otherwise); unknown paths give 404, other
 * methods 405 with {@code Allow}; cross-site browser POSTs give 403. Errors are {@code application/problem+json}.
 *
 * <p><b>Registration.</b> Programmatically: {@link #register(ServletContext, MaintenanceEngine, HttpAdapterConfig)}
 * (or {@code new MaintenanceServlet(engine, config)} added with {@code asyncSupported} true and the mapping
 * {@value #MAPPING}). In {@code web.xml}: declare this class with {@code <async-supported>true</async-supported>},
 * map it to {@value #MAPPING}, and put the engine into the servlet context attribute {@value #ENGINE_ATTRIBUTE}
 * (e.g. from a {@code ServletContextListener}); the configuration is taken from the attribute
 * {@value #CONFIG_ATTRIBUTE} if set, else from init parameters (see the README: {@code basic-user},
 * {@code basic-password-hash}, {@code max-upload-size}, …). The servlet never closes the engine.
 *
 * <p>Thread-safe: one instance serves all requests.
 */
public final class MaintenanceServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceServlet.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The URL pattern to map the servlet to. */
    public static final String MAPPING = "/api/maintenance/db/*";
    /** Servlet context attribute holding the {@link MaintenanceEngine} when the servlet is declared in web.xml. */
    public static final String ENGINE_ATTRIBUTE = "dev.keepsake.core.MaintenanceEngine";
    /** Servlet context attribute that may hold the {@link HttpAdapterConfig} when declared in web.xml. */
    public static final String CONFIG_ATTRIBUTE = "dev.keepsake.http.HttpAdapterConfig";
    /** Class path location of the OpenAPI document served at {@code …/openapi.json}. */
    public static final String OPENAPI_RESOURCE = "/dev/keepsake/http/openapi.json";

    private transient MaintenanceEngine engine;
    private transient HttpAdapterConfig config;
    private transient CrossSiteCheck crossSite;
    private transient FailureBackoff backoff;
    private transient ScheduledExecutorService watchdog;
    private transient UploadRegistry uploads;
    private transient byte[] openApi;

    /** For {@code web.xml}: the engine and configuration are looked up in {@link #init()}. */
    public MaintenanceServlet() {
    }

    /** For programmatic registration. The engine stays owned by the caller. */
    public MaintenanceServlet(MaintenanceEngine engine, HttpAdapterConfig config) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Registers a servlet for {@code engine} under {@value #MAPPING} with asynchronous support on (needed for
     * non-blocking uploads), e.g. from a {@code ServletContainerInitializer} or a {@code ServletContextListener}.
     */
    public static ServletRegistration.Dynamic register(ServletContext context, MaintenanceEngine engine,
                                                       HttpAdapterConfig config) {
        ServletRegistration.Dynamic reg = context.addServlet("keepsake-maintenance",
                new MaintenanceServlet(engine, config));
        reg.setAsyncSupported(true);
        reg.addMapping(MAPPING);
        return reg;
    }

    @Override
    public void init() throws ServletException {
        ServletConfig sc = getServletConfig();
        ServletContext ctx = sc.getServletContext();
        if (engine == null) {
            Object e = ctx.getAttribute(ENGINE_ATTRIBUTE);
            if (!(e instanceof MaintenanceEngine me)) {
                throw new UnavailableException("no MaintenanceEngine in the servlet context attribute '"
                        + ENGINE_ATTRIBUTE + "': set it (e.g. in a ServletContextListener) before the servlet starts");
            }
            engine = me;
        }
        if (config == null) {
            Object c = ctx.getAttribute(CONFIG_ATTRIBUTE);
            if (c instanceof HttpAdapterConfig hc) {
                config = hc;
            } else {
                Object tmp = ctx.getAttribute(ServletContext.TEMPDIR);
                Path defaultTemp = tmp instanceof File f ? f.toPath().resolve("keepsake-uploads")
                        : Path.of(System.getProperty("java.io.tmpdir"));
                try {
                    config = InitParams.toConfig(sc::getInitParameter, defaultTemp);
                } catch (KeepsakeException ex) {
                    throw new UnavailableException(ex.getMessage());
                }
            }
        }
        try {
            java.nio.file.Files.createDirectories(config.tempDirectory());
        } catch (IOException e) {
            throw new UnavailableException("cannot create the upload temp directory " + config.tempDirectory()
                    + " (" + e + "); create it or configure another tempDirectory");
        }
        crossSite = new CrossSiteCheck(config.allowedOrigins());
        backoff = new FailureBackoff(config.maxFailureDelay());
        uploads = new UploadRegistry();
        ScheduledThreadPoolExecutor w = new ScheduledThreadPoolExecutor(1,
                DaemonThreads.factory("keepsake-upload-watchdog"));
        w.setRemoveOnCancelPolicy(true);
        watchdog = w;
        try (InputStream in = MaintenanceServlet.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new UnavailableException("the OpenAPI document " + OPENAPI_RESOURCE + " is missing from the jar");
            }
            openApi = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + OPENAPI_RESOURCE, e);
        }
    }

    @Override
    public void destroy() {
        if (uploads != null) {
            uploads.abortAll();
        }
        if (watchdog != null) {
            watchdog.shutdownNow();
        }
    }

    /** The configuration in effect (after {@link #init()}). */
    public HttpAdapterConfig config() {
        return config;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        try {
            if (!authorised(req, resp)) {
                return;
            }
            Endpoint endpoint = Endpoint.of(req.getPathInfo());
            if (endpoint == null) {
                Problems.send(req, resp, ProblemType.NOT_FOUND, "There is no maintenance resource at this path; "
                        + "the API is described at " + base(req) + "/openapi.json.");
                return;
            }
            String method = req.getMethod();
            if (!endpoint.allows(method)) {
                resp.setHeader("Allow", endpoint.allowHeader());
                Problems.send(req, resp, ProblemType.METHOD_NOT_ALLOWED, method + " is not supported here; use "
                        + endpoint.allowHeader() + ".");
                return;
            }
            if (method.equals("OPTIONS")) {
                resp.setHeader("Allow", endpoint.allowHeader());
                resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
                return;
            }
            if (method.equals("POST") && config.csrfProtection()) {
                Optional<String> refusal = crossSite.refusal(req);
                if (refusal.isPresent()) {
                    LOG.info("refused a cross-site {} {} from {}", method, req.getRequestURI(), req.getRemoteAddr());
                    Problems.send(req, resp, ProblemType.CROSS_SITE_REQUEST, refusal.get());
                    return;
                }
            }
            switch (endpoint) {
                case STATUS -> status(req, resp);
                case BACKUP -> {
                    if (method.equals("POST")) {
                        startBackup(req, resp);
                    } else {
                        download(req, resp);
                    }
                }
                case RESTORE -> RestoreUpload.handle(new RestoreUpload.Settings(engine, config.tempDirectory(),
                        config.maxUploadSize(), config.maxParts(), config.uploadIdleTimeout(), config.uploadDeadline(),
                        watchdog, uploads, base(req)), req, resp);
                case OPENAPI -> sendJson(req, resp, HttpServletResponse.SC_OK, openApi);
                default -> throw new IllegalStateException(endpoint.name());
            }
        } catch (RuntimeException e) {
            String ref = EngineErrors.reference();
            LOG.error("{} {} failed (reference {})", req.getMethod(), req.getRequestURI(), ref, e);
            Problems.send(req, resp, ProblemType.INTERNAL_ERROR, "The request failed because of an internal error; "
                    + "the server log has the details under reference " + ref + ".");
        }
    }

    /** The status resource's path, e.g. {@code /api/maintenance/db} (context path included). */
    private static String base(HttpServletRequest req) {
        return req.getContextPath() + req.getServletPath();
    }

    private boolean authorised(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (config.builtInAuthentication()) {
            Authenticator auth = config.authenticator().orElseThrow();
            Authenticator.Result result = auth.authenticate(req);
            if (result.isAuthenticated()) {
                backoff.recordSuccess(req.getRemoteAddr());
                return true;
            }
            if (result.outcome() == Authenticator.Outcome.REJECTED) {
                FailureBackoff.pause(backoff.recordFailure(req.getRemoteAddr()));
            }
            resp.setHeader("WWW-Authenticate", auth.challenge(config.realm()));
            Problems.send(req, resp, ProblemType.UNAUTHORIZED, result.outcome() == Authenticator.Outcome.MISSING
                    ? "This API needs credentials (HTTP Basic, e.g. curl -u user:password)."
                    : "The credentials are not valid.");
            return false;
        }
        if (config.requiredRole().isEmpty()) {
            return true; // container-managed security decides alone
        }
        if (req.getUserPrincipal() == null) {
            String realm = config.realm().replace("\\", "\\\\").replace("\"", "\\\"");
            resp.setHeader("WWW-Authenticate", "Basic realm=\"" + realm + "\", charset=\"UTF-8\"");
            Problems.send(req, resp, ProblemType.UNAUTHORIZED, "This API needs an authenticated user.");
            return false;
        }
        if (!req.isUserInRole(config.requiredRole().get())) {
            Problems.send(req, resp, ProblemType.FORBIDDEN, "The authenticated user lacks the role this API "
                    + "requires.");
            return false;
        }
        return true;
    }

    private void status(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        sendJson(req, resp, HttpServletResponse.SC_OK, StatusJson.toJson(engine.status()));
    }

    private void startBackup(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Operation op;
        try {
            op = engine.startBackup();
        } catch (OperationInProgressException e) {
            Problems.send(req, resp, ProblemType.OPERATION_IN_PROGRESS, EngineErrors.detailFor(e.code(), "backup"));
            return;
        } catch (KeepsakeException e) {
            LOG.warn("starting a backup failed ({}): {}", e.code(), e.getMessage());
            Problems.send(req, resp, EngineErrors.problemFor(e.code()), EngineErrors.detailFor(e.code(), "backup"));
            return;
        }
        LOG.info("{} - backup started over HTTP by {}", op.id(), req.getRemoteAddr());
        ObjectNode body = JSON.createObjectNode();
        body.put("operation", "backup");
        body.put("id", op.id());
        body.put("status", base(req));
        body.put("message", "The backup runs now; poll " + base(req) + " for its outcome, then download it from "
                + base(req) + "/backup.");
        Accepted.send(resp, base(req), JSON.writeValueAsBytes(body));
    }

    private void download(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Optional<StoredBackup> latest = engine.latestBackup();
        if (latest.isEmpty()) {
            Problems.send(req, resp, ProblemType.NO_BACKUP, "No finished backup exists yet; start one with POST "
                    + base(req) + "/backup and download it when GET " + base(req)
                    + " shows backup.succeded true.");
            return;
        }
        BackupDownload.serve(req, resp, latest.get());
    }

    private static void sendJson(HttpServletRequest req, HttpServletResponse resp, int status, byte[] body)
            throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.length);
        if (!"HEAD".equals(req.getMethod())) {
            resp.getOutputStream().write(body);
        }
    }
}
