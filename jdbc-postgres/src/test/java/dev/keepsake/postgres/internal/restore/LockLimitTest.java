package dev.keepsake.postgres.internal.restore;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LockLimitTest {

    @Test
    void theRecommendationCoversTheObjectsWithRoomToSpareSpreadOverAllSlots() {
        LockLimit limit = new LockLimit(64, 100, 0);
        // 50 000 objects x 1.5 / 100 slots = 750, rounded up to a multiple of 64
        assertThat(limit.recommendedMaxLocksPerTransaction(50_000)).isEqualTo(768);
        assertThat(limit.capacity()).isEqualTo(6_400);
    }

    @Test
    void theRecommendationIsAlwaysAboveTheCurrentSetting() {
        assertThat(new LockLimit(64, 100, 0).recommendedMaxLocksPerTransaction(10)).isEqualTo(128);
        assertThat(new LockLimit(1000, 10, 10).recommendedMaxLocksPerTransaction(10)).isEqualTo(1088);
    }

    @Test
    void theExplanationNamesTheSettingTheValueAndTheObjectCount() {
        String message = new LockLimit(64, 100, 5).explain("postgres", 20_000);
        assertThat(message).contains("part 'postgres'").contains("about 20000 objects")
                .contains("max_locks_per_transaction = 64").contains("max_connections = 100")
                .contains("max_prepared_transactions = 5").contains("at least 320")
                .contains("Nothing was changed");
    }
}
