package dev.keepsake.http.internal.problem;

/** The kinds of error answers, each with its HTTP status, RFC 9457 {@code type} and {@code title}. */
public enum ProblemType {
    BAD_REQUEST(400, "bad-request", "Bad request"),
    UNAUTHORIZED(401, "unauthorized", "Authentication required"),
    FORBIDDEN(403, "forbidden", "Forbidden"),
    CROSS_SITE_REQUEST(403, "cross-site-request", "Cross-site request refused"),
    NOT_FOUND(404, "not-found", "Not found"),
    NO_BACKUP(404, "no-backup", "No backup available"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    UPLOAD_TIMEOUT(408, "upload-timeout", "Upload too slow"),
    OPERATION_IN_PROGRESS(409, "operation-in-progress", "Operation in progress"),
    UPLOAD_TOO_LARGE(413, "upload-too-large", "Upload too large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported media type"),
    RANGE_NOT_SATISFIABLE(416, "range-not-satisfiable", "Range not satisfiable"),
    INTERNAL_ERROR(500, "internal-error", "Internal server error"),
    UNAVAILABLE(503, "unavailable", "Service unavailable"),
    INSUFFICIENT_STORAGE(507, "insufficient-storage", "Insufficient storage");

    private final int status;
    private final String slug;
    private final String title;

    ProblemType(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public int status() {
        return status;
    }

    /** The {@code type} member: a URN naming the problem (documented in the OpenAPI document). */
    public String typeUri() {
        return "urn:keepsake:problem:" + slug;
    }

    public String title() {
        return title;
    }
}
