package dev.keepsake.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * A secret key that signs and verifies archive manifests with HMAC-SHA256. Immutable; {@link #toString()} never shows
 * the secret.
 */
public final class ArchiveKey {

    /** Minimum secret length in bytes. */
    public static final int MIN_LENGTH = 32;

    private final String id;
    private final byte[] secret;

    private ArchiveKey(String id, byte[] secret) {
        this.id = id;
        this.secret = secret;
    }

    /**
     * @param id     a short name recorded in signed archives (1–64 of {@code [A-Za-z0-9._-]})
     * @param secret at least {@value #MIN_LENGTH} random bytes; copied
     */
    public static ArchiveKey of(String id, byte[] secret) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(secret, "secret");
        if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new InvalidConfigurationException("archive key id '" + id
                    + "' is invalid: use 1-64 letters, digits, '.', '_' or '-'");
        }
        if (secret.length < MIN_LENGTH) {
            throw new InvalidConfigurationException("archive key '" + id + "' has " + secret.length
                    + " bytes; at least " + MIN_LENGTH + " random bytes are required");
        }
        return new ArchiveKey(id, secret.clone());
    }

    public String id() {
        return id;
    }

    /** A copy of the secret. */
    public byte[] secret() {
        return secret.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArchiveKey k && k.id.equals(id) && Arrays.equals(k.secret, secret);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "ArchiveKey[" + id + "]";
    }
}
