package dev.keepsake.examples;

import dev.keepsake.core.ArchiveKey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The one place {@code serve}, {@code backup}, {@code restore} and {@code verify} take the archive signing key from,
 * in this order:
 * <ol>
 *   <li>{@code --key-file FILE} when given;</li>
 *   <li>the environment variable {@value #ENV} (base64 of at least 32 bytes);</li>
 *   <li>the default key file {@code ${XDG_CONFIG_HOME:-~/.config}/keepsake/archive.key}.</li>
 * </ol>
 * A key file holds the base64 of the secret on one line. Commands that write backups ({@code serve}, {@code backup})
 * create a missing key file with 32 random bytes and mode 0600; {@code restore} and {@code verify} never create one
 * (a new key could not verify anything). The key id recorded in signed archives is the first 8 hex digits of the
 * secret's SHA-256, so the same secret always has the same id. Stateless and thread-safe.
 */
final class ArchiveKeySource {

    /** Environment variable holding the base64 key. */
    static final String ENV = "KEEPSAKE_ARCHIVE_KEY";

    private static final int NEW_KEY_BYTES = 32;

    private final Map<String, String> env;

    ArchiveKeySource(Map<String, String> env) {
        this.env = env;
    }

    /** The default key file: {@code ${XDG_CONFIG_HOME:-~/.config}/keepsake/archive.key}. */
    Path defaultKeyFile() {
        String xdg = env.get("XDG_CONFIG_HOME");
        Path config = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
                ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".config");
        return config.resolve("keepsake").resolve("archive.key");
    }

    /**
     * The key to sign new backups with; creates the key file when it is missing.
     *
     * @param keyFile {@code --key-file}, or null for the default order
     */
    Loaded forWriting(Path keyFile) {
        return load(keyFile, true).orElseThrow();
    }

    /**
     * The key to verify archives with, if one is configured; never creates a key file.
     *
     * @param keyFile {@code --key-file}, or null for the default order
     */
    Optional<Loaded> forReading(Path keyFile) {
        return load(keyFile, false);
    }

    private Optional<Loaded> load(Path explicitFile, boolean create) {
        if (explicitFile == null) {
            String fromEnv = env.get(ENV);
            if (fromEnv != null && !fromEnv.isBlank()) {
                return Optional.of(new Loaded(toKey(decode(fromEnv, "the environment variable " + ENV)),
                        "environment variable " + ENV));
            }
        }
        Path file = explicitFile != null ? explicitFile : defaultKeyFile();
        try {
            if (!Files.exists(file)) {
                if (!create) {
                    return Optional.empty();
                }
                createKeyFile(file);
            }
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            return Optional.of(new Loaded(toKey(decode(text, "the key file " + file)), "key file " + file));
        } catch (IOException e) {
            throw new CommandFailedException(ExitStatus.FAILURE, "cannot read or create the archive key file " + file
                    + ": " + e.getMessage() + "; check its permissions or pass --key-file or " + ENV, e);
        }
    }

    private static byte[] decode(String base64, String where) {
        byte[] secret;
        try {
            secret = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new CommandFailedException(ExitStatus.FAILURE, where + " does not hold a base64 key: "
                    + "create one with `head -c 32 /dev/urandom | base64`");
        }
        if (secret.length < ArchiveKey.MIN_LENGTH) {
            throw new CommandFailedException(ExitStatus.FAILURE, where + " holds " + secret.length
                    + " bytes; an archive key needs at least " + ArchiveKey.MIN_LENGTH
                    + " random bytes (`head -c 32 /dev/urandom | base64`)");
        }
        return secret;
    }

    /** The key with its id derived from the secret. */
    static ArchiveKey toKey(byte[] secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret);
            String id = HexFormat.of().formatHex(digest, 0, 4);
            return ArchiveKey.of(id, secret);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private static void createKeyFile(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            if (supportsPosix(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        }
        byte[] secret = new byte[NEW_KEY_BYTES];
        new SecureRandom().nextBytes(secret);
        byte[] line = (Base64.getEncoder().encodeToString(secret) + "\n").getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(secret, (byte) 0);
        try {
            if (supportsPosix(file.toAbsolutePath().getParent())) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException e) {
            return; // another process created it at the same moment: use theirs
        }
        Files.write(file, line, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
    }

    private static boolean supportsPosix(Path dir) {
        return dir != null && dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** A key and a description of where it came from (never the secret). */
    record Loaded(ArchiveKey key, String source) {
    }
}
