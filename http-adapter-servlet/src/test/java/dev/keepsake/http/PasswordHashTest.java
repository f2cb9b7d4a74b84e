package dev.keepsake.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PasswordHashTest {

    @Test
    void createdHashMatchesOnlyItsPasswordAndSurvivesItsEncoding() {
        PasswordHash h = PasswordHash.create("s3cret-Pässword".toCharArray());
        assertThat(h.iterations()).isEqualTo(210_000);
        assertThat(h.encoded()).matches("pbkdf2-sha256\\$210000\\$[A-Za-z0-9+/=]{24}\\$[A-Za-z0-9+/=]{44}");
        assertThat(h.matches("s3cret-Pässword".toCharArray())).isTrue();
        assertThat(h.matches("s3cret-Password".toCharArray())).isFalse();
        assertThat(h.matches(new char[0])).isFalse();
        PasswordHash back = PasswordHash.parse(h.encoded());
        assertThat(back).isEqualTo(h);
        assertThat(back.matches("s3cret-Pässword".toCharArray())).isTrue();
        assertThat(h.toString()).doesNotContain(h.encoded().split("\\$")[3]);
    }

    @Test
    void twoHashesOfOnePasswordDifferBySalt() {
        assertThat(PasswordHash.create("pw".toCharArray(), 10_000).encoded())
                .isNotEqualTo(PasswordHash.create("pw".toCharArray(), 10_000).encoded());
    }

    @Test
    void malformedStoredHashesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> PasswordHash.parse("plaintext")).hasMessageContaining("must look like");
        assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256$abc$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA=="))
                .hasMessageContaining("not a number");
        assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256$1000$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA=="))
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256$210000$!!!$AAAAAAAAAAAAAAAAAAAAAA=="))
                .hasMessageContaining("Base64");
        assertThatThrownBy(() -> PasswordHash.parse("pbkdf2-sha256$210000$AAAA$AAAAAAAAAAAAAAAAAAAAAA=="))
                .hasMessageContaining("salt");
        assertThatThrownBy(() -> PasswordHash.create(new char[0])).hasMessageContaining("empty");
    }
}
