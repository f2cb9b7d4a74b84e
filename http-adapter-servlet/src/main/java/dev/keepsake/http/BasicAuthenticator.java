package dev.keepsake.http;

import dev.keepsake.http.spi.Authenticator;
import jakarta.servlet.http.HttpServletRequest;

import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * HTTP Basic authentication (RFC 7617) of one configured user whose password is kept only as a salted
 * {@link PasswordHash} (PBKDF2-HMAC-SHA256).
 *
 * <ul>
 *   <li>The password check always runs the full PBKDF2 derivation, also for an unknown user name or a malformed
 *       header, and compares in constant time, so timing does not tell whether a user exists.</li>
 *   <li>So that status polling does not cost a PBKDF2 derivation per request, the last valid {@code Authorization}
 *       header is remembered for {@link #DEFAULT_CACHE_TTL} as a salted SHA-256 digest (never the header itself),
 *       and compared in constant time.</li>
 *   <li>Slowing down repeated failures is done by the servlet for every authenticator (see
 *       {@link HttpAdapterConfig#maxFailureDelay()}).</li>
 * </ul>
 *
 * <p>Thread-safe and immutable apart from the one-entry cache.
 */
public final class BasicAuthenticator implements Authenticator {

    /** How long a verified header is remembered. */
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofMinutes(1);

    private final byte[] userDigest;
    private final String user;
    private final PasswordHash password;
    private final byte[] cacheSalt;
    private final Clock clock;
    private volatile CachedCredential cached;

    private record CachedCredential(byte[] digest, Instant validUntil) {
    }

    private BasicAuthenticator(String user, PasswordHash password, Clock clock) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (user.isEmpty() || user.indexOf(':') >= 0 || user.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("the user name must be non-empty and contain no ':' or control "
                    + "characters (RFC 7617)");
        }
        this.user = user;
        this.userDigest = sha256(user.getBytes(StandardCharsets.UTF_8));
        this.password = password;
        this.cacheSalt = password.salt();
        this.clock = clock;
    }

    /**
     * An authenticator for {@code user} whose password is given in plaintext and hashed here, once (takes about a
     * tenth of a second). The caller should clear its copy of the password afterwards.
     */
    public static BasicAuthenticator withPassword(String user, char[] password) {
        return new BasicAuthenticator(user, PasswordHash.create(password), Clock.systemUTC());
    }

    /**
     * An authenticator for {@code user} with a stored hash {@code pbkdf2-sha256$iterations$salt$hash} (see
     * {@link PasswordHash#encoded()}).
     *
     * @throws IllegalArgumentException when the hash is malformed
     */
    public static BasicAuthenticator withPasswordHash(String user, String encodedHash) {
        return new BasicAuthenticator(user, PasswordHash.parse(encodedHash), Clock.systemUTC());
    }

    /** An authenticator for {@code user} with the given hash. */
    public static BasicAuthenticator withPasswordHash(String user, PasswordHash hash) {
        return new BasicAuthenticator(user, hash, Clock.systemUTC());
    }

    /** The configured user name. */
    public String user() {
        return user;
    }

    @Override
    public Result authenticate(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || header.isBlank()) {
            return Result.missing();
        }
        byte[] headerDigest = saltedDigest(header);
        CachedCredential c = cached;
        if (c != null && MessageDigest.isEqual(c.digest(), headerDigest) && clock.instant().isBefore(c.validUntil())) {
            return Result.authenticated(user);
        }
        char[] suppliedPassword = null;
        byte[] suppliedUser = new byte[0];
        boolean wellFormed = false;
        String h = header.strip();
        if (h.length() > 6 && h.regionMatches(true, 0, "Basic ", 0, 6) && h.length() < 4096) {
            byte[] decoded = null;
            try {
                decoded = Base64.getDecoder().decode(h.substring(6).strip());
                int colon = indexOf(decoded, (byte) ':');
                if (colon >= 0) {
                    suppliedUser = Arrays.copyOfRange(decoded, 0, colon);
                    suppliedPassword = decodeUtf8(decoded, colon + 1);
                    wellFormed = suppliedPassword != null;
                }
            } catch (IllegalArgumentException e) {
                // not Base64: a malformed header is a failed attempt; fall through to the same work below
                wellFormed = false;
            } finally {
                if (decoded != null) {
                    Arrays.fill(decoded, (byte) 0);
                }
            }
        }
        // Same work on every path: the PBKDF2 derivation runs whether or not the user exists or the header parsed.
        char[] candidate = suppliedPassword != null ? suppliedPassword : "\u0000not-a-password".toCharArray();
        boolean passwordOk = password.matches(candidate);
        Arrays.fill(candidate, '\0');
        boolean userOk = MessageDigest.isEqual(userDigest, sha256(suppliedUser));
        if (wellFormed & passwordOk & userOk) {
            cached = new CachedCredential(headerDigest, clock.instant().plus(DEFAULT_CACHE_TTL));
            return Result.authenticated(user);
        }
        return Result.rejected();
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static char[] decodeUtf8(byte[] bytes, int from) {
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes, from, bytes.length - from));
            char[] out = new char[cb.remaining()];
            cb.get(out);
            Arrays.fill(cb.array(), '\0');
            return out;
        } catch (CharacterCodingException e) {
            return null; // not UTF-8: treated as a malformed (failed) attempt by the caller
        }
    }

    private byte[] saltedDigest(String header) {
        MessageDigest md = newSha256();
        md.update(cacheSalt);
        md.update(header.getBytes(StandardCharsets.UTF_8));
        return md.digest();
    }

    private static byte[] sha256(byte[] data) {
        return newSha256().digest(data);
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "BasicAuthenticator[user=" + user + ", " + password + "]";
    }
}
