package dev.keepsake.http.internal;

import java.util.List;

/** The resources below the servlet's mapping, and the methods each allows. */
public enum Endpoint {
    /** {@code GET|HEAD /api/maintenance/db}: the status. */
    STATUS("", List.of("GET", "HEAD", "OPTIONS")),
    /** {@code POST /api/maintenance/db/backup} starts one; {@code GET|HEAD} downloads the latest. */
    BACKUP("/backup", List.of("GET", "HEAD", "POST", "OPTIONS")),
    /** {@code POST /api/maintenance/db/restore}: multipart upload, field {@code file}. */
    RESTORE("/restore", List.of("POST", "OPTIONS")),
    /** {@code GET|HEAD /api/maintenance/db/openapi.json}: the OpenAPI 3 document. */
    OPENAPI("/openapi.json", List.of("GET", "HEAD", "OPTIONS"));

    private final String path;
    private final List<String> methods;

    Endpoint(String path, List<String> methods) {
        this.path = path;
        this.methods = methods;
    }

    /** The path below the mapping ({@code ""} for the status). */
    public String path() {
        return path;
    }

    public boolean allows(String method) {
        return methods.contains(method);
    }

    /** The {@code Allow} header value. */
    public String allowHeader() {
        return String.join(", ", methods);
    }

    /**
     * The endpoint for a servlet path info ({@code null}, {@code ""} and {@code "/"} are the status; one trailing
     * slash is tolerated), or {@code null} for an unknown path.
     */
    public static Endpoint of(String pathInfo) {
        String p = pathInfo == null ? "" : pathInfo;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        for (Endpoint e : values()) {
            if (e.path.equals(p)) {
                return e;
            }
        }
        return null;
    }
}
