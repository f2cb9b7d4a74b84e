package dev.keepsake.core.internal.archive;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.keepsake.core.ArchiveKey;
import dev.keepsake.core.ArchiveVerificationException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.TreeSet;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code keepsake/manifest.sig}: {@code {"algorithm":"HMAC-SHA256","keyId":"…","mac":"<base64>"}} over the exact
 * bytes of {@code manifest.json}. MACs are compared in constant time. Thread-safe. Internal.
 */
public final class ManifestSignature {

    public static final String ALGORITHM = "HMAC-SHA256";
    // the document's keys, in the style of ManifestJson's
    static final String ALGORITHM_KEY = "algorithm";
    static final String KEY_ID = "keyId";
    static final String MAC = "mac";

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(4).maxStringLength(4096).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private ManifestSignature() {
    }

    /** HMAC-SHA256 of {@code data} under {@code key}. */
    public static byte[] mac(ArchiveKey key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            byte[] secret = key.secret();
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            Arrays.fill(secret, (byte) 0);
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** The bytes of manifest.sig for {@code manifest} signed with {@code key}. */
    public static byte[] sign(ArchiveKey key, byte[] manifest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField(ALGORITHM_KEY, ALGORITHM);
            g.writeStringField(KEY_ID, key.id());
            g.writeStringField(MAC, Base64.getEncoder().encodeToString(mac(key, manifest)));
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Verifies {@code signature} over {@code manifest}.
     *
     * @param keys the keys accepted, by id
     * @return the id of the key that verified
     * @throws ArchiveVerificationException when malformed, signed with an unknown key, or the MAC differs
     */
    public static String verify(byte[] signature, byte[] manifest, Map<String, ArchiveKey> keys) {
        String algorithm = null;
        String keyId = null;
        String mac = null;
        try (JsonParser p = FACTORY.createParser(signature)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw malformed("it is not a JSON object");
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                if (t != JsonToken.FIELD_NAME) {
                    throw malformed("it is not a flat JSON object");
                }
                String name = p.currentName();
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    throw malformed("field '" + name + "' is not a string");
                }
                switch (name) {
                    case ALGORITHM_KEY -> algorithm = p.getText();
                    case KEY_ID -> keyId = p.getText();
                    case MAC -> mac = p.getText();
                    default -> throw malformed("field '" + name + "' is not known");
                }
            }
            if (p.nextToken() != null) {
                throw malformed("it has data after the JSON object");
            }
        } catch (JsonProcessingException e) {
            throw malformed("it is not valid JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (algorithm == null || keyId == null || mac == null) {
            throw malformed("it lacks 'algorithm', 'keyId' or 'mac'");
        }
        if (!ALGORITHM.equals(algorithm)) {
            throw new ArchiveVerificationException("The archive is signed with algorithm '"
                    + ManifestJson.abbreviate(algorithm) + "', but only " + ALGORITHM + " is supported.");
        }
        ArchiveKey key = keys.get(keyId);
        if (key == null) {
            throw new ArchiveVerificationException("The archive is signed with key id '" + ManifestJson.abbreviate(keyId)
                    + "', which is not configured here"
                    + (keys.isEmpty() ? " (no keys are configured)" : " (configured: " + String.join(", ",
                    new TreeSet<>(keys.keySet())) + ")")
                    + "; add that key to the verification keys to restore it.");
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(mac);
        } catch (IllegalArgumentException e) {
            throw malformed("its 'mac' is not base64");
        }
        if (!MessageDigest.isEqual(given, mac(key, manifest))) {
            throw new ArchiveVerificationException("The archive's manifest does not match its signature (key id '"
                    + keyId + "'): the archive was modified or damaged after it was made; use an intact copy.");
        }
        return keyId;
    }

    private static ArchiveVerificationException malformed(String problem) {
        return new ArchiveVerificationException("The archive's signature file is malformed: " + problem
                + "; the archive is damaged or was not made by Keepsake.");
    }
}
