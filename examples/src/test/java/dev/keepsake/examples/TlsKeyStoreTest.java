package dev.keepsake.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TlsKeyStoreTest {

    @TempDir
    Path dir;

    @Test
    void certificateIsGeneratedOnceForLocalhostAndKeptAcrossStarts() throws Exception {
        TlsKeyStore first = TlsKeyStore.loadOrCreate(dir);
        X509Certificate cert = first.certificate();

        cert.checkValidity();
        cert.verify(cert.getPublicKey()); // self-signed
        assertThat(cert.getSubjectX500Principal().getName()).contains("CN=localhost");
        assertThat(cert.getSubjectAlternativeNames())
                .contains(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
        assertThat(cert.getBasicConstraints()).isEqualTo(-1); // not a CA
        assertThat(Files.getPosixFilePermissions(dir.resolve("keystore.p12")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(dir.resolve("keystore.password")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));

        TlsKeyStore again = TlsKeyStore.loadOrCreate(dir);
        assertThat(again.fingerprint()).isEqualTo(first.fingerprint());
        assertThat(again.keyStore().getKey(TlsKeyStore.ALIAS, again.password().toCharArray())).isNotNull();
    }
}
