package dev.keepsake.postgres;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlywaySchemaVersionTest {

    @Test
    void versionsCompareNumericallyPartByPartLikeFlyway() {
        assertThat(FlywaySchemaVersion.compareVersions("1.10", "1.9")).isPositive();
        assertThat(FlywaySchemaVersion.compareVersions("1.2", "1.2.0")).isZero();
        assertThat(FlywaySchemaVersion.compareVersions("2_1", "2.0.9")).isPositive();
        assertThat(FlywaySchemaVersion.compareVersions("20240101120000", "9")).isPositive();
        assertThat(List.of("1", "1.1", "1.10", "1.9", "2").stream().max(FlywaySchemaVersion::compareVersions))
                .contains("2");
    }

    @Test
    void aHistoryTableNeedsAName() {
        assertThat(FlywaySchemaVersion.historyTable("migrations").table()).isEqualTo("migrations");
        assertThatThrownBy(() -> FlywaySchemaVersion.historyTable(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the Flyway history table name must not be blank");
        assertThatThrownBy(() -> FlywaySchemaVersion.historyTable(null)).isInstanceOf(NullPointerException.class);
    }
}
