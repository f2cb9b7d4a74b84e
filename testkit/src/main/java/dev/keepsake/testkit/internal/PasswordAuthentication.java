package dev.keepsake.testkit.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;

import org.postgresql.PGConnection;

/**
 * Password (SCRAM) authentication for persistent clusters: initdb sets up {@code trust}; once the server runs, the
 * superuser gets its password (hashed on the client, so it never appears in server logs) and pg_hba.conf then
 * accepts only SCRAM logins over loopback TCP. Stateless and thread-safe.
 */
public final class PasswordAuthentication {

    static final String HBA_MARKER = "# Written by the Keepsake testkit";
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordAuthentication() {
    }

    /** A new random password (URL-safe Base64 of 24 random bytes). */
    public static String newPassword() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Whether the cluster's pg_hba.conf is ours (so it demands a password). */
    public static boolean enforcedIn(Path dataDirectory) throws IOException {
        Path hba = dataDirectory.resolve("pg_hba.conf");
        return Files.isRegularFile(hba) && Files.readString(hba, StandardCharsets.UTF_8).startsWith(HBA_MARKER);
    }

    /**
     * Reads the password kept in {@code file}, or creates one there (readable by the owner only).
     */
    public static String readOrCreate(Path file) throws IOException {
        if (Files.isRegularFile(file)) {
            String password = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (password.isEmpty()) {
                throw new IOException(file + " is empty: restore the superuser password into it");
            }
            return password;
        }
        String password = newPassword();
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
        return password;
    }

    /** Sets the superuser's password and restricts pg_hba.conf to SCRAM on loopback; nothing when none is wanted. */
    static void enforce(RunningCluster cluster, ClusterSpec spec) throws IOException {
        if (spec.password() == null) {
            return;
        }
        try (Connection connection = Provisioner.connect(cluster, "postgres")) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET password_encryption = 'scram-sha-256'");
            }
            connection.unwrap(PGConnection.class)
                    .alterUserPassword(ClusterSpec.SUPERUSER, spec.password().toCharArray(), "scram-sha-256");
            Path hba = spec.dataDirectory().resolve("pg_hba.conf");
            String rules = HBA_MARKER + ": password (SCRAM) logins over loopback TCP only.\n"
                    + "host all all 127.0.0.1/32 scram-sha-256\n"
                    + "host all all ::1/128 scram-sha-256\n";
            if (!Files.readString(hba, StandardCharsets.UTF_8).equals(rules)) {
                Files.writeString(hba, rules, StandardCharsets.UTF_8); // keeps the file's owner
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SELECT pg_reload_conf()");
                }
            }
        } catch (SQLException e) {
            throw new IOException("could not set up password authentication on port " + cluster.port() + ": "
                    + e.getMessage(), e);
        }
    }
}
