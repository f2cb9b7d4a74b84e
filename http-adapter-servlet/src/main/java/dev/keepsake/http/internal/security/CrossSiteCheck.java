package dev.keepsake.http.internal.security;

import jakarta.servlet.http.HttpServletRequest;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Refuses state-changing requests made from a cross-site browser context (CSRF: a browser replays Basic credentials,
 * and a multipart POST needs no CORS preflight).
 *
 * <ul>
 *   <li>{@code Sec-Fetch-Site: cross-site} is refused; {@code same-site} is refused unless the {@code Origin} is an
 *       allowed one; {@code same-origin} and {@code none} (typed into the address bar) pass.</li>
 *   <li>An {@code Origin} header must equal the request's own origin (scheme, host and port the request reached,
 *       from {@code Host}) or one of the configured allowed origins; {@code Origin: null} is refused.</li>
 *   <li>No {@code Origin} and no {@code Sec-Fetch-Site} (curl, scripts, old browsers on same-origin forms): allowed.</li>
 * </ul>
 * Immutable and thread-safe.
 *
 * @param allowedOrigins further accepted origins, normalised as {@code scheme://host:port}
 */
public record CrossSiteCheck(Set<URI> allowedOrigins) {

    /** The reason to refuse the request, or empty when it may proceed. */
    public Optional<String> refusal(HttpServletRequest req) {
        String origin = req.getHeader("Origin");
        String site = req.getHeader("Sec-Fetch-Site");
        Optional<URI> parsedOrigin = origin == null ? Optional.empty() : parse(origin.strip());
        boolean originAllowed = parsedOrigin.map(allowedOrigins::contains).orElse(false);
        boolean sameOrigin = parsedOrigin.map(o -> o.equals(own(req))).orElse(false);
        if (site != null) {
            String s = site.strip().toLowerCase(Locale.ROOT);
            if (s.equals("cross-site") && !originAllowed) {
                return Optional.of("The request comes from another site's page (Sec-Fetch-Site: cross-site); "
                        + "state-changing calls are accepted only from this origin, allowed origins or non-browser "
                        + "clients.");
            }
            if (s.equals("same-site") && !originAllowed && !sameOrigin) {
                return Optional.of("The request comes from a page of another origin on the same site "
                        + "(Sec-Fetch-Site: same-site); add that origin to the allowed origins to accept it.");
            }
        }
        if (origin != null) {
            if (parsedOrigin.isEmpty()) {
                return Optional.of("The request's Origin (" + abbreviate(origin)
                        + ") is not a usable origin; state-changing calls from opaque or unknown origins are refused.");
            }
            if (!sameOrigin && !originAllowed) {
                return Optional.of("The request's Origin " + parsedOrigin.get().getScheme() + "://"
                        + parsedOrigin.get().getHost() + " is not this server's origin nor an allowed one; "
                        + "cross-site state-changing calls are refused.");
            }
        }
        return Optional.empty();
    }

    /** The origin the request reached, from its scheme and {@code Host}. */
    static URI own(HttpServletRequest req) {
        String scheme = req.getScheme().toLowerCase(Locale.ROOT);
        int port = req.getServerPort() > 0 ? req.getServerPort() : scheme.equals("https") ? 443 : 80;
        String host = req.getServerName().toLowerCase(Locale.ROOT);
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return URI.create(scheme + "://" + host + ":" + port);
    }

    /** Parses {@code scheme://host[:port]} into the normalised form; empty for {@code null} or garbage. */
    static Optional<URI> parse(String origin) {
        if (origin.equals("null") || origin.length() > 512) {
            return Optional.empty();
        }
        try {
            URI u = new URI(origin);
            if (u.getScheme() == null || u.getHost() == null) {
                return Optional.empty();
            }
            String scheme = u.getScheme().toLowerCase(Locale.ROOT);
            int port = u.getPort() >= 0 ? u.getPort() : scheme.equals("https") ? 443 : 80;
            return Optional.of(URI.create(scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + ":" + port));
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String abbreviate(String s) {
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 80 ? clean.substring(0, 80) + "…" : clean;
    }
}
