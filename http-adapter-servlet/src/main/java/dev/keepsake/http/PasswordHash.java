package dev.keepsake.http;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A salted PBKDF2-HMAC-SHA256 password hash, written as {@code pbkdf2-sha256$<iterations>$<salt>$<hash>} (salt and
 * hash in standard Base64). Create one from a plaintext with {@link #create(char[])} (e.g. at startup, or once in a
 * setup tool whose output goes into configuration), or read a stored one with {@link #parse(String)}.
 *
 * <p>Default cost: {@value #DEFAULT_ITERATIONS} iterations (the OWASP 2023 recommendation for PBKDF2-HMAC-SHA256),
 * a 16-byte random salt and a 32-byte hash. {@link #matches} compares in constant time. Immutable and thread-safe;
 * {@link #toString()} does not show the hash.
 */
public final class PasswordHash {

    /** Default and recommended iteration count. */
    public static final int DEFAULT_ITERATIONS = 210_000;
    /** Lowest iteration count {@link #parse} and {@link #create(char[], int)} accept. */
    public static final int MIN_ITERATIONS = 10_000;
    /** Highest iteration count accepted (a guard against a configuration typo that would stall every request). */
    public static final int MAX_ITERATIONS = 10_000_000;

    private static final String PREFIX = "pbkdf2-sha256";
    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(int iterations, byte[] salt, byte[] hash) {
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
    }

    /** Hashes {@code password} with a fresh random salt and {@value #DEFAULT_ITERATIONS} iterations. */
    public static PasswordHash create(char[] password) {
        return create(password, DEFAULT_ITERATIONS);
    }

    /**
     * Hashes {@code password} with a fresh random salt and the given cost.
     *
     * @throws IllegalArgumentException when the password is empty or the iteration count is out of range
     */
    public static PasswordHash create(char[] password, int iterations) {
        Objects.requireNonNull(password, "password");
        if (password.length == 0) {
            throw new IllegalArgumentException("the password is empty: configure a non-empty password");
        }
        checkIterations(iterations);
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new PasswordHash(iterations, salt, derive(password, salt, iterations, HASH_BYTES));
    }

    /**
     * Reads a stored hash {@code pbkdf2-sha256$<iterations>$<base64 salt>$<base64 hash>}.
     *
     * @throws IllegalArgumentException naming what is wrong (never echoing the hash itself)
     */
    public static PasswordHash parse(String encoded) {
        Objects.requireNonNull(encoded, "encoded");
        String[] f = encoded.strip().split("\\$", -1);
        if (f.length != 4 || !f[0].equals(PREFIX)) {
            throw new IllegalArgumentException("a password hash must look like '" + PREFIX
                    + "$<iterations>$<base64 salt>$<base64 hash>'; create one with PasswordHash.create(...).encoded()");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(f[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the iteration count of the password hash is not a number: '" + f[1] + "'");
        }
        checkIterations(iterations);
        byte[] salt;
        byte[] hash;
        try {
            salt = Base64.getDecoder().decode(f[2]);
            hash = Base64.getDecoder().decode(f[3]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the salt or hash of the password hash is not valid Base64");
        }
        if (salt.length < 8) {
            throw new IllegalArgumentException("the salt of the password hash has " + salt.length
                    + " bytes; at least 8 are required");
        }
        if (hash.length < 16 || hash.length > 64) {
            throw new IllegalArgumentException("the hash of the password hash has " + hash.length
                    + " bytes; 16 to 64 are accepted");
        }
        return new PasswordHash(iterations, salt, hash);
    }

    private static void checkIterations(int iterations) {
        if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("PBKDF2 iteration count " + iterations + " is out of range; use "
                    + MIN_ITERATIONS + " to " + MAX_ITERATIONS + " (recommended " + DEFAULT_ITERATIONS + ")");
        }
    }

    /**
     * Whether {@code password} is the hashed password. Always does the full PBKDF2 work and compares in constant
     * time.
     */
    public boolean matches(char[] password) {
        Objects.requireNonNull(password, "password");
        byte[] candidate = derive(password, salt, iterations, hash.length);
        return MessageDigest.isEqual(candidate, hash);
    }

    /** The iteration count. */
    public int iterations() {
        return iterations;
    }

    /** The storable form {@code pbkdf2-sha256$<iterations>$<salt>$<hash>}: treat it as a secret. */
    public String encoded() {
        return PREFIX + "$" + iterations + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(hash);
    }

    /** A copy of the salt (used to key in-memory caches so they never hold a plain credential digest). */
    byte[] salt() {
        return salt.clone();
    }

    static byte[] derive(char[] password, byte[] salt, int iterations, int bytes) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bytes * 8);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available in this JVM", e);
        } finally {
            spec.clearPassword();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PasswordHash p && p.iterations == iterations && Arrays.equals(p.salt, salt)
                && MessageDigest.isEqual(p.hash, hash);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(salt);
    }

    @Override
    public String toString() {
        return "PasswordHash[" + PREFIX + ", " + iterations + " iterations]";
    }
}
