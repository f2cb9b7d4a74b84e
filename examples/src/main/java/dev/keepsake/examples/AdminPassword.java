package dev.keepsake.examples;

import dev.keepsake.http.PasswordHash;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;

/**
 * The demo server's password for the HTTP Basic user {@code admin}:
 * <ul>
 *   <li>from the environment variable {@value #ENV} when set (nothing is stored);</li>
 *   <li>otherwise generated at first start, printed once, and kept only as a salted PBKDF2-HMAC-SHA256 hash
 *       ({@link PasswordHash}) in {@code <data-dir>/admin-password.pbkdf2} (mode 0600); later starts check against
 *       that hash and print nothing. Delete the file to get a new password at the next start.</li>
 * </ul>
 * Immutable and thread-safe.
 */
final class AdminPassword {

    static final String ENV = "KEEPSAKE_ADMIN_PASSWORD";
    static final String USER = "admin";
    static final String FILE_NAME = "admin-password.pbkdf2";

    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    private final PasswordHash hash;
    private final Origin origin;
    private final String generatedPassword; // only right after generation, to print once

    /** Where the password came from. */
    enum Origin { ENVIRONMENT, STORED_HASH, GENERATED }

    private AdminPassword(PasswordHash hash, Origin origin, String generatedPassword) {
        this.hash = hash;
        this.origin = origin;
        this.generatedPassword = generatedPassword;
    }

    /** Resolves the password as described in the class comment. */
    static AdminPassword resolve(Map<String, String> env, Path dataDir) throws IOException {
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return new AdminPassword(PasswordHash.create(fromEnv.toCharArray()), Origin.ENVIRONMENT, null);
        }
        Path file = dataDir.resolve(FILE_NAME);
        if (Files.exists(file)) {
            try {
                return new AdminPassword(PasswordHash.parse(Files.readString(file, StandardCharsets.US_ASCII)),
                        Origin.STORED_HASH, null);
            } catch (IllegalArgumentException e) {
                throw new CommandFailedException(ExitStatus.FAILURE, "the admin password file " + file
                        + " is damaged (" + e.getMessage() + "): delete it to generate a new password, or set " + ENV);
            }
        }
        String generated = generate();
        AdminPassword p = new AdminPassword(PasswordHash.create(generated.toCharArray()), Origin.GENERATED, generated);
        store(file, p.hash.encoded());
        return p;
    }

    Origin origin() {
        return origin;
    }

    /** The password generated at this start, to be printed once; empty otherwise. */
    Optional<String> generated() {
        return Optional.ofNullable(generatedPassword);
    }

    PasswordHash hash() {
        return hash;
    }

    private static void store(Path file, String encoded) throws IOException {
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path tmp = dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? Files.createTempFile(dir, "." + FILE_NAME, ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(dir, "." + FILE_NAME, ".tmp");
        try {
            Files.writeString(tmp, encoded + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** 24 characters from a 57-letter alphabet without look-alikes (about 140 bits), in groups of six. */
    private static String generate() {
        SecureRandom random = new SecureRandom();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            if (i > 0 && i % 6 == 0) {
                s.append('-');
            }
            s.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return s.toString();
    }
}
