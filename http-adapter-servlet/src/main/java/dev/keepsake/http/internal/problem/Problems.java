package dev.keepsake.http.internal.problem;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;

/**
 * Writes {@code application/problem+json} answers (RFC 9457). The {@code detail} is always a sentence written here
 * or by the adapter, never an exception message, so it cannot carry a stack trace, a JDBC URL, a password or a
 * server path. Thread-safe.
 */
public final class Problems {

    /** The media type of every error answer. */
    public static final String MEDIA_TYPE = "application/problem+json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Problems() {
    }

    /** The request's path as the client sent it (context + servlet path + path info), without the query. */
    public static String instance(HttpServletRequest request) {
        String uri = request.getRequestURI();
        return uri == null || uri.isEmpty() ? "/" : uri;
    }

    /** The problem body as bytes. */
    public static byte[] body(ProblemType type, String detail, String instance) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", type.typeUri());
        n.put("title", type.title());
        n.put("status", type.status());
        n.put("detail", detail);
        n.put("instance", instance);
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise a problem body", e);
        }
    }

    /**
     * Sends a problem answer: status, {@code Content-Type}, {@code Cache-Control: no-store} and the body (omitted for
     * HEAD). Resets any buffered content first; does nothing if the response is already committed.
     */
    public static void send(HttpServletRequest request, HttpServletResponse response, ProblemType type, String detail)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        byte[] body = body(type, detail, instance(request));
        response.setStatus(type.status());
        response.setContentType(MEDIA_TYPE);
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        if (!"HEAD".equals(request.getMethod())) {
            response.getOutputStream().write(body);
        }
        response.flushBuffer();
    }
}
