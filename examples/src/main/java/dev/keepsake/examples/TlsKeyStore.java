package dev.keepsake.examples;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The demo server's TLS identity: a self-signed certificate (EC P-256, valid {@value #VALIDITY_DAYS} days, for
 * {@code localhost}, {@code 127.0.0.1}, {@code ::1} and this host's name) generated at first start in pure Java
 * (Bouncy Castle builds the certificate; no {@code keytool} needed) and kept in {@code <dir>/keystore.p12}, with
 * the keystore's random password in {@code <dir>/keystore.password} (both mode 0600). Later starts load the same
 * files, so a client that pinned the certificate keeps trusting it. Immutable once loaded; thread-safe.
 */
final class TlsKeyStore {

    static final String ALIAS = "keepsake-demo";
    static final int VALIDITY_DAYS = 3650;

    private final Path file;
    private final KeyStore keyStore;
    private final String password;

    private TlsKeyStore(Path file, KeyStore keyStore, String password) {
        this.file = file;
        this.keyStore = keyStore;
        this.password = password;
    }

    /** Loads {@code <dir>/keystore.p12}, or generates it (and its password file) when missing. */
    static TlsKeyStore loadOrCreate(Path dir) throws IOException {
        Path ks = dir.resolve("keystore.p12");
        Path pw = dir.resolve("keystore.password");
        try {
            if (!Files.exists(ks) || !Files.exists(pw)) {
                Files.createDirectories(dir);
                generate(ks, pw);
            }
            String password = Files.readString(pw, StandardCharsets.US_ASCII).strip();
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(ks)) {
                store.load(in, password.toCharArray());
            }
            if (!store.isKeyEntry(ALIAS)) {
                throw new IOException("the keystore " + ks + " has no key '" + ALIAS
                        + "'; delete " + dir + " to generate a new certificate");
            }
            return new TlsKeyStore(ks, store, password);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load the TLS keystore " + ks + " (" + e.getMessage()
                    + "); delete " + dir + " to generate a new certificate", e);
        }
    }

    KeyStore keyStore() {
        return keyStore;
    }

    String password() {
        return password;
    }

    Path file() {
        return file;
    }

    X509Certificate certificate() {
        try {
            return (X509Certificate) keyStore.getCertificate(ALIAS);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the loaded keystore lost its certificate", e);
        }
    }

    /** SHA-256 fingerprint of the certificate, as browsers show it ({@code AB:CD:...}). */
    String fingerprint() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(certificate().getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot fingerprint the certificate", e);
        }
    }

    private static void generate(Path ks, Path pw) throws IOException, GeneralSecurityException {
        SecureRandom random = new SecureRandom();
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"), random);
        KeyPair pair = gen.generateKeyPair();

        X500Name subject = new X500Name("CN=localhost, O=Keepsake demo");
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                new BigInteger(127, random).add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(VALIDITY_DAYS))),
                subject, pair.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(altNames()));
        X509Certificate cert;
        try {
            cert = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign the certificate: " + e.getMessage(), e);
        }

        byte[] pwBytes = new byte[24];
        random.nextBytes(pwBytes);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(pwBytes);
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(ALIAS, pair.getPrivate(), password.toCharArray(), new X509Certificate[]{cert});

        // write both to temp files first so a crash never leaves a keystore without its password
        Path pwTmp = privateTempFile(pw);
        Path ksTmp = privateTempFile(ks);
        try {
            Files.writeString(pwTmp, password + "\n", StandardCharsets.US_ASCII);
            try (OutputStream out = Files.newOutputStream(ksTmp)) {
                store.store(out, password.toCharArray());
            }
            Files.move(pwTmp, pw, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(ksTmp, ks, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(pwTmp);
            Files.deleteIfExists(ksTmp);
        }
    }

    private static Path privateTempFile(Path target) throws IOException {
        Path dir = target.getParent();
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return Files.createTempFile(dir, "." + target.getFileName(), ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        return Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    }

    private static GeneralName[] altNames() {
        Set<String> dns = new LinkedHashSet<>(List.of("localhost"));
        try {
            String host = InetAddress.getLocalHost().getHostName();
            if (host != null && host.matches("[A-Za-z0-9.-]{1,253}")) {
                dns.add(host);
            }
        } catch (UnknownHostException e) {
            // no resolvable host name: the certificate covers localhost and the loopback addresses only
        }
        List<GeneralName> names = new ArrayList<>();
        dns.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
        names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        names.add(new GeneralName(GeneralName.iPAddress, "::1"));
        return names.toArray(GeneralName[]::new);
    }
}
