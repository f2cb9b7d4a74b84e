package dev.keepsake.http;

import dev.keepsake.core.InvalidConfigurationException;
import dev.keepsake.http.spi.Authenticator;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the {@link MaintenanceServlet} can be configured with, in one immutable, validated value:
 * {@link Builder#build()} checks every value and lists every problem in one {@link InvalidConfigurationException}.
 * Immutable and thread-safe.
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code maxUploadSize}</td><td>10 GiB</td><td>largest restore request body in bytes (multipart framing
 *       included); more gives {@code 413}</td></tr>
 *   <tr><td>{@code maxParts}</td><td>16</td><td>most parts a restore multipart body may have; more gives
 *       {@code 413}</td></tr>
 *   <tr><td>{@code uploadIdleTimeout}</td><td>60 s</td><td>longest wait for the next bytes of an upload; then
 *       {@code 408}, the connection is closed and the temp file deleted</td></tr>
 *   <tr><td>{@code uploadDeadline}</td><td>4 h</td><td>longest time a whole upload may take (stops a client that
 *       trickles just fast enough to beat the idle timeout); then {@code 408}</td></tr>
 *   <tr><td>{@code tempDirectory}</td><td>{@code java.io.tmpdir}</td><td>where uploads are streamed to before the
 *       restore starts; best on the same filesystem as the engine's work directory, with room for the largest
 *       backup</td></tr>
 *   <tr><td>{@code realm}</td><td>{@code keepsake}</td><td>the realm in {@code WWW-Authenticate}</td></tr>
 *   <tr><td>{@code builtInAuthentication}</td><td>true</td><td>whether the servlet checks credentials with the
 *       {@code authenticator}; false for container-managed security</td></tr>
 *   <tr><td>{@code authenticator}</td><td>none (required when built-in authentication is on)</td><td>e.g.
 *       {@link BasicAuthenticator#withPasswordHash(String, String)}</td></tr>
 *   <tr><td>{@code requiredRole}</td><td>none</td><td>with built-in authentication off: the role the container's
 *       authenticated user must have ({@code 401} without a user, {@code 403} without the role); none = the
 *       container alone decides</td></tr>
 *   <tr><td>{@code csrfProtection}</td><td>true</td><td>refuse ({@code 403}) POSTs from a cross-site browser
 *       context: an {@code Origin} other than the request's own or an allowed one, or {@code Sec-Fetch-Site:
 *       cross-site} / {@code same-site}</td></tr>
 *   <tr><td>{@code allowedOrigins}</td><td>none</td><td>further origins ({@code scheme://host[:port]}) whose
 *       browser POSTs are accepted, e.g. an admin UI on another host, or the public origin behind a TLS-terminating
 *       proxy</td></tr>
 *   <tr><td>{@code maxFailureDelay}</td><td>2 s</td><td>cap of the delay added after repeated authentication
 *       failures from one client address (doubling from 50 ms); zero switches the delay off</td></tr>
 * </table>
 *
 * <p>Build it with {@link #builder()} (or {@link #toBuilder()} to derive one); there is no public constructor, so
 * options can be added without breaking callers. Two configurations are equal when all their options are.
 */
public final class HttpAdapterConfig {

    /** Default {@code maxUploadSize}: 10 GiB. */
    public static final long DEFAULT_MAX_UPLOAD_SIZE = 10L * 1024 * 1024 * 1024;
    /** Default {@code maxParts}. */
    public static final int DEFAULT_MAX_PARTS = 16;
    /** Default {@code uploadIdleTimeout}. */
    public static final Duration DEFAULT_UPLOAD_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** Default {@code uploadDeadline}. */
    public static final Duration DEFAULT_UPLOAD_DEADLINE = Duration.ofHours(4);
    /** Default {@code realm}. */
    public static final String DEFAULT_REALM = "keepsake";
    /** Default {@code maxFailureDelay}. */
    public static final Duration DEFAULT_MAX_FAILURE_DELAY = Duration.ofSeconds(2);
    private static final Duration MAX_FAILURE_DELAY_LIMIT = Duration.ofSeconds(30);

    private final long maxUploadSize;
    private final int maxParts;
    private final Duration uploadIdleTimeout;
    private final Duration uploadDeadline;
    private final Path tempDirectory;
    private final String realm;
    private final boolean builtInAuthentication;
    private final Optional<Authenticator> authenticator;
    private final Optional<String> requiredRole;
    private final boolean csrfProtection;
    private final Set<URI> allowedOrigins;
    private final Duration maxFailureDelay;

    private HttpAdapterConfig(Builder b, Set<URI> normalisedOrigins) {
        this.maxUploadSize = b.maxUploadSize;
        this.maxParts = b.maxParts;
        this.uploadIdleTimeout = b.uploadIdleTimeout;
        this.uploadDeadline = b.uploadDeadline;
        this.tempDirectory = b.tempDirectory != null ? b.tempDirectory : Path.of(System.getProperty("java.io.tmpdir"));
        this.realm = b.realm;
        this.builtInAuthentication = b.builtInAuthentication;
        this.authenticator = Optional.ofNullable(b.authenticator);
        this.requiredRole = Optional.ofNullable(b.requiredRole);
        this.csrfProtection = b.csrfProtection;
        this.allowedOrigins = Set.copyOf(normalisedOrigins);
        this.maxFailureDelay = b.maxFailureDelay;
    }

    /** Largest accepted restore request body in bytes, multipart framing included (at least 1). */
    public long maxUploadSize() {
        return maxUploadSize;
    }

    /** Most multipart parts in a restore request (at least 1). */
    public int maxParts() {
        return maxParts;
    }

    /** Longest pause between bytes of an upload (positive). */
    public Duration uploadIdleTimeout() {
        return uploadIdleTimeout;
    }

    /** Longest total duration of an upload (positive). */
    public Duration uploadDeadline() {
        return uploadDeadline;
    }

    /** Where uploads are stored until the restore takes them (created by the servlet if missing); never null. */
    public Path tempDirectory() {
        return tempDirectory;
    }

    /** The realm in {@code WWW-Authenticate}. */
    public String realm() {
        return realm;
    }

    /** Whether the servlet checks credentials with {@link #authenticator()} (false: container-managed security). */
    public boolean builtInAuthentication() {
        return builtInAuthentication;
    }

    /** The authenticator; present exactly when {@link #builtInAuthentication()} is on. */
    public Optional<Authenticator> authenticator() {
        return authenticator;
    }

    /** The role required from the container's user; only with built-in authentication off. */
    public Optional<String> requiredRole() {
        return requiredRole;
    }

    /** Whether cross-site browser POSTs are refused. */
    public boolean csrfProtection() {
        return csrfProtection;
    }

    /** Further origins the CSRF check accepts, normalised to {@code scheme://host:port}; unmodifiable. */
    public Set<URI> allowedOrigins() {
        return allowedOrigins;
    }

    /** Cap of the back-off after failed authentications from one client address; zero = none. */
    public Duration maxFailureDelay() {
        return maxFailureDelay;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HttpAdapterConfig c && maxUploadSize == c.maxUploadSize && maxParts == c.maxParts
                && uploadIdleTimeout.equals(c.uploadIdleTimeout) && uploadDeadline.equals(c.uploadDeadline)
                && tempDirectory.equals(c.tempDirectory) && realm.equals(c.realm)
                && builtInAuthentication == c.builtInAuthentication && authenticator.equals(c.authenticator)
                && requiredRole.equals(c.requiredRole) && csrfProtection == c.csrfProtection
                && allowedOrigins.equals(c.allowedOrigins) && maxFailureDelay.equals(c.maxFailureDelay);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxUploadSize, maxParts, uploadIdleTimeout, uploadDeadline, tempDirectory, realm,
                builtInAuthentication, authenticator, requiredRole, csrfProtection, allowedOrigins, maxFailureDelay);
    }

    /** Every option by name; the authenticator by its class only (it may hold a password hash). */
    @Override
    public String toString() {
        return "HttpAdapterConfig[maxUploadSize=" + maxUploadSize + ", maxParts=" + maxParts + ", uploadIdleTimeout="
                + uploadIdleTimeout + ", uploadDeadline=" + uploadDeadline + ", tempDirectory=" + tempDirectory
                + ", realm=" + realm + ", builtInAuthentication=" + builtInAuthentication + ", authenticator="
                + authenticator.map(a -> a.getClass().getSimpleName()).orElse("none") + ", requiredRole="
                + requiredRole.orElse("none") + ", csrfProtection=" + csrfProtection + ", allowedOrigins="
                + allowedOrigins + ", maxFailureDelay=" + maxFailureDelay + "]";
    }

    /**
     * Normalises an origin to {@code scheme://host:port} (lower-case scheme and host, explicit port).
     *
     * @throws IllegalArgumentException naming the value when it is not an http(s) origin
     */
    private static URI normaliseOrigin(URI origin) {
        if (origin == null || origin.getScheme() == null || origin.getHost() == null
                || !(origin.getPath() == null || origin.getPath().isEmpty() || origin.getPath().equals("/"))
                || origin.getQuery() != null || origin.getFragment() != null || origin.getUserInfo() != null) {
            throw new IllegalArgumentException("allowed origin '" + origin
                    + "' is not an origin: use scheme://host[:port], e.g. https://admin.example.com");
        }
        String scheme = origin.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("allowed origin '" + origin + "' must use http or https");
        }
        int port = origin.getPort() >= 0 ? origin.getPort() : scheme.equals("https") ? 443 : 80;
        return URI.create(scheme + "://" + origin.getHost().toLowerCase(Locale.ROOT) + ":" + port);
    }

    /** A builder with every default set; only the authenticator must be given (or built-in authentication off). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxUploadSize = maxUploadSize;
        b.maxParts = maxParts;
        b.uploadIdleTimeout = uploadIdleTimeout;
        b.uploadDeadline = uploadDeadline;
        b.tempDirectory = tempDirectory;
        b.realm = realm;
        b.builtInAuthentication = builtInAuthentication;
        b.authenticator = authenticator.orElse(null);
        b.requiredRole = requiredRole.orElse(null);
        b.csrfProtection = csrfProtection;
        b.allowedOrigins.addAll(allowedOrigins);
        b.maxFailureDelay = maxFailureDelay;
        return b;
    }

    /** Builder for {@link HttpAdapterConfig}; validates once in {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private long maxUploadSize = DEFAULT_MAX_UPLOAD_SIZE;
        private int maxParts = DEFAULT_MAX_PARTS;
        private Duration uploadIdleTimeout = DEFAULT_UPLOAD_IDLE_TIMEOUT;
        private Duration uploadDeadline = DEFAULT_UPLOAD_DEADLINE;
        private Path tempDirectory;
        private String realm = DEFAULT_REALM;
        private boolean builtInAuthentication = true;
        private Authenticator authenticator;
        private String requiredRole;
        private boolean csrfProtection = true;
        private final Set<URI> allowedOrigins = new LinkedHashSet<>();
        private Duration maxFailureDelay = DEFAULT_MAX_FAILURE_DELAY;

        private Builder() {
        }

        /** Largest accepted restore request body in bytes. Default 10 GiB. */
        public Builder maxUploadSize(long bytes) {
            this.maxUploadSize = bytes;
            return this;
        }

        /** Most parts in a restore multipart body. Default 16. */
        public Builder maxParts(int parts) {
            this.maxParts = parts;
            return this;
        }

        /** Longest wait for the next bytes of an upload. Default 60 s. */
        public Builder uploadIdleTimeout(Duration timeout) {
            this.uploadIdleTimeout = timeout;
            return this;
        }

        /** Longest total duration of one upload. Default 4 h. */
        public Builder uploadDeadline(Duration deadline) {
            this.uploadDeadline = deadline;
            return this;
        }

        /** Directory for uploads in progress (created if missing). Default: {@code java.io.tmpdir}. */
        public Builder tempDirectory(Path dir) {
            this.tempDirectory = dir;
            return this;
        }

        /** Realm in {@code WWW-Authenticate}. Default {@code keepsake}. */
        public Builder realm(String realm) {
            this.realm = realm;
            return this;
        }

        /**
         * Switches built-in authentication on with this authenticator. The alternative to
         * {@link #containerManagedSecurity(String)}; with a required role still set, {@link #build()} refuses the
         * combination (clear it with {@code containerManagedSecurity(null)} first).
         */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            this.builtInAuthentication = true;
            return this;
        }

        /**
         * Switches built-in authentication off (container-managed security), optionally requiring a role from the
         * container's user. The alternative to {@link #authenticator(Authenticator)}: it drops an authenticator set
         * before; an authenticator set after it together with a role is refused by {@link #build()} (the role applies to
         * container-managed security only).
         *
         * @param requiredRole the role, or {@code null} to let the container alone decide
         */
        public Builder containerManagedSecurity(String requiredRole) {
            this.builtInAuthentication = false;
            this.authenticator = null;
            this.requiredRole = requiredRole;
            return this;
        }

        /** Whether cross-site browser POSTs are refused. Default true. */
        public Builder csrfProtection(boolean on) {
            this.csrfProtection = on;
            return this;
        }

        /** Adds an origin ({@code scheme://host[:port]}) whose browser POSTs the CSRF check accepts. */
        public Builder allowOrigin(URI origin) {
            this.allowedOrigins.add(origin);
            return this;
        }

        /** Cap of the delay after repeated failed authentications per client address. Default 2 s; zero = none. */
        public Builder maxFailureDelay(Duration cap) {
            this.maxFailureDelay = cap;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws InvalidConfigurationException listing every problem
         */
        public HttpAdapterConfig build() {
            List<String> problems = new ArrayList<>();
            if (maxUploadSize < 1) {
                problems.add("maxUploadSize must be at least 1 byte but is " + maxUploadSize);
            }
            if (maxParts < 1) {
                problems.add("maxParts must be at least 1 but is " + maxParts);
            }
            if (uploadIdleTimeout == null || uploadIdleTimeout.isNegative() || uploadIdleTimeout.isZero()) {
                problems.add("uploadIdleTimeout must be a positive duration but is " + uploadIdleTimeout);
            }
            if (uploadDeadline == null || uploadDeadline.isNegative() || uploadDeadline.isZero()) {
                problems.add("uploadDeadline must be a positive duration but is " + uploadDeadline);
            }
            if (realm == null || realm.isBlank() || realm.chars().anyMatch(Character::isISOControl)) {
                problems.add("realm must be a non-blank string without control characters but is '" + realm + "'");
            }
            if (builtInAuthentication && authenticator == null) {
                problems.add("built-in authentication is on but no authenticator is set: set one (e.g. "
                        + "BasicAuthenticator.withPasswordHash(user, hash)) or switch built-in authentication off "
                        + "to rely on container-managed security");
            }
            if (builtInAuthentication && requiredRole != null) {
                problems.add("requiredRole applies to container-managed security only: switch built-in "
                        + "authentication off (containerManagedSecurity(role)) or remove the role");
            }
            if (requiredRole != null && requiredRole.isBlank()) {
                problems.add("requiredRole must not be blank: give the role's name, or null to let the container "
                        + "alone decide");
            }
            Set<URI> origins = new LinkedHashSet<>();
            for (URI o : allowedOrigins) {
                try {
                    origins.add(normaliseOrigin(o));
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                }
            }
            if (maxFailureDelay == null || maxFailureDelay.isNegative()
                    || maxFailureDelay.compareTo(MAX_FAILURE_DELAY_LIMIT) > 0) {
                problems.add("maxFailureDelay must be between 0 and 30 s but is " + maxFailureDelay);
            }
            if (!problems.isEmpty()) {
                throw new InvalidConfigurationException("invalid HTTP adapter configuration: "
                        + String.join("; ", problems));
            }
            return new HttpAdapterConfig(this, origins);
        }
    }
}
