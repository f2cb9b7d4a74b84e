package dev.keepsake.http.spi;

import jakarta.servlet.http.HttpServletRequest;

import java.util.Objects;

/**
 * Decides whether a request carries valid credentials. The servlet asks it before anything else; on
 * {@link Result#missing()} or {@link Result#rejected()} it answers {@code 401} with the {@link #challenge challenge},
 * and after {@code rejected} it slows the client down (per client address, capped).
 *
 * <p>Implementations must be thread-safe: the servlet calls them from many request threads at once. They must not
 * read the request body, and should do the same work whether or not a user name exists.
 */
public interface Authenticator {

    /** Checks the request's credentials (typically its {@code Authorization} header). Never throws for bad input. */
    Result authenticate(HttpServletRequest request);

    /**
     * The value of the {@code WWW-Authenticate} header sent with a {@code 401}. Default:
     * {@code Basic realm="<realm>", charset="UTF-8"}.
     *
     * @param realm the configured realm (quotes and backslashes are escaped here)
     */
    default String challenge(String realm) {
        String escaped = realm.replace("\\", "\\\\").replace("\"", "\\\"");
        return "Basic realm=\"" + escaped + "\", charset=\"UTF-8\"";
    }

    /**
     * The outcome of a check. Immutable.
     *
     * @param outcome what happened
     * @param user    the authenticated user's name, or {@code null} unless {@link Outcome#AUTHENTICATED}
     */
    record Result(Outcome outcome, String user) {

        public Result {
            Objects.requireNonNull(outcome, "outcome");
            if ((outcome == Outcome.AUTHENTICATED) != (user != null)) {
                throw new IllegalArgumentException("a user name is required for, and only for, AUTHENTICATED");
            }
        }

        /** Valid credentials of {@code user}. */
        public static Result authenticated(String user) {
            return new Result(Outcome.AUTHENTICATED, Objects.requireNonNull(user, "user"));
        }

        /** The request carries no credentials at all (no failure is counted). */
        public static Result missing() {
            return new Result(Outcome.MISSING, null);
        }

        /** The request carries credentials that are wrong or malformed (counted as a failure, slowed down). */
        public static Result rejected() {
            return new Result(Outcome.REJECTED, null);
        }

        public boolean isAuthenticated() {
            return outcome == Outcome.AUTHENTICATED;
        }
    }

    /** What {@link #authenticate} found. */
    enum Outcome {
        /** Valid credentials. */
        AUTHENTICATED,
        /** No credentials. */
        MISSING,
        /** Wrong or malformed credentials. */
        REJECTED
    }
}
