package dev.keepsake.http.internal.security;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class FailureBackoffTest {

    @Test
    void delaysDoubleUpToTheCapAndResetOnSuccess() {
        FailureBackoff b = new FailureBackoff(Duration.ofSeconds(2));
        assertThat(b.recordFailure("10.0.0.1")).isEqualTo(Duration.ofMillis(50));
        assertThat(b.recordFailure("10.0.0.1")).isEqualTo(Duration.ofMillis(100));
        assertThat(b.recordFailure("10.0.0.1")).isEqualTo(Duration.ofMillis(200));
        assertThat(b.recordFailure("10.0.0.2")).as("per address").isEqualTo(Duration.ofMillis(50));
        for (int i = 0; i < 100; i++) {
            b.recordFailure("10.0.0.1");
        }
        assertThat(b.recordFailure("10.0.0.1")).isEqualTo(Duration.ofSeconds(2));
        b.recordSuccess("10.0.0.1");
        assertThat(b.recordFailure("10.0.0.1")).isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void theTableIsBoundedAndUntrackedAddressesGetTheFullDelayWhenFull() {
        FailureBackoff b = new FailureBackoff(Duration.ofSeconds(1));
        for (int i = 0; i < FailureBackoff.MAX_TRACKED + 500; i++) {
            b.recordFailure("client-" + i);
        }
        assertThat(b.recordFailure("another")).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.recordFailure("client-" + (FailureBackoff.MAX_TRACKED + 1))).as("not tracked: no doubling")
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(b.recordFailure("client-0")).as("tracked: its second failure").isEqualTo(Duration.ofMillis(100));
        assertThat(b.recordFailure("client-" + (FailureBackoff.MAX_TRACKED - 1))).as("the last one tracked")
                .isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void zeroCapSwitchesTheDelayOff() {
        FailureBackoff b = new FailureBackoff(Duration.ZERO);
        b.recordFailure("x");
        assertThat(b.recordFailure("x")).isZero();
    }
}
