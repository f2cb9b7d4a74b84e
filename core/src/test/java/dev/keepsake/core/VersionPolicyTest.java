package dev.keepsake.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionPolicyTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({
            "1.10.0, 1.9.7",
            "1.0.10, 1.0.9",
            "2.0.0, 2.0.0-rc.1",
            "2.0.0-rc.2, 2.0.0-rc.1",
            "2.0.0-rc.10, 2.0.0-rc.9",
            "2.0.0-rc.1, 2.0.0-beta.5",
            "2.0.0-beta, 2.0.0-alpha.1",
            "2.0.0-alpha.1, 2.0.0-alpha",
            "2.0.0-alpha.beta, 2.0.0-alpha.1",
            "1.0.1, 1.0.1-SNAPSHOT",
            "10.0, 9.99.99",
            "1.2.1, 1.2",
    })
    void versionsCompareNumericallyWithPreReleasesBeforeTheirRelease(String newer, String older) {
        Version n = Version.parse(newer);
        Version o = Version.parse(older);
        assertThat(n).isGreaterThan(o);
        assertThat(o).isLessThan(n);
        assertThat(n.isNewerThan(o)).isTrue();
        assertThat(o.isOlderThan(n)).isTrue();
    }

    @Test
    void missingSegmentsCountAsZeroAndBuildMetadataIsIgnored() {
        assertThat(Version.parse("1.2")).isEqualTo(Version.parse("1.2.0")).hasSameHashCodeAs(Version.parse("1.2.0"));
        assertThat(Version.parse("1.2.0+build.7")).isEqualTo(Version.parse("1.2.0"));
        assertThat(Version.parse("v1.2.0")).isEqualTo(Version.parse("1.2.0"));
        assertThat(Version.parse("1.2.0").toString()).isEqualTo("1.2.0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1..2", "1.a", "-rc.1", "1.0-", "1.0-rc..1", "1.2.3.4.5.6.7.8.9.10.11",
            "12345678901234567890"})
    void invalidVersionsAreRefusedNamingTheText(String text) {
        assertThatThrownBy(() -> Version.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "' is not a version");
    }

    private static BackupDescription backupFrom(String version) {
        return new BackupDescription(version + "_2024-01-01T00:00:00.000Z", "demo", Version.parse(version),
                Instant.parse("2024-01-01T00:00:00Z"), 1, Optional.of("k"), List.of(), 0, 0);
    }

    @Test
    void barrierRefusesOldBackupsAndNamesTheLastVersionThatCanRestoreThem() {
        VersionCompatibility policy = VersionCompatibility.barriers(List.of(
                RestoreBarrier.from("2.0.0").refusesOlderThan("1.5.0").lastAbleToRestore("1.9.9"),
                RestoreBarrier.from("3.0.0").refusesOlderThan("2.5.0").lastAbleToRestore("2.9.3")));

        assertThat(policy.check(Version.parse("3.1.0"), backupFrom("2.6.0")).isCompatible()).isTrue();
        assertThat(policy.check(Version.parse("1.9.9"), backupFrom("1.0.0")).isCompatible()).isTrue();
        assertThat(policy.check(Version.parse("2.4.0"), backupFrom("1.5.0")).isCompatible()).isTrue();

        CompatibilityDecision d = policy.check(Version.parse("3.1.0"), backupFrom("1.2.0"));
        assertThat(d).isInstanceOf(CompatibilityDecision.Refused.class);
        CompatibilityDecision.Refused r = (CompatibilityDecision.Refused) d;
        assertThat(r.lastVersionThatCanRestore()).contains(Version.parse("1.9.9"));
        assertThat(r.reason()).contains("1.2.0").contains("1.9.9");

        CompatibilityDecision.Refused r2 = (CompatibilityDecision.Refused) policy.check(Version.parse("3.0.0"),
                backupFrom("2.1.0"));
        assertThat(r2.lastVersionThatCanRestore()).contains(Version.parse("2.9.3"));
    }

    @Test
    void barrierStepsAcceptVersionsOrTheirText() {
        RestoreBarrier b = RestoreBarrier.from(Version.parse("2.0.0")).refusesOlderThan(Version.parse("1.5.0"))
                .lastAbleToRestore(Version.parse("1.9.9"));
        assertThat(b).isEqualTo(RestoreBarrier.from("2.0.0").refusesOlderThan("1.5").lastAbleToRestore("v1.9.9"))
                .hasSameHashCodeAs(RestoreBarrier.from("2.0").refusesOlderThan("1.5.0").lastAbleToRestore("1.9.9"));
        assertThat(b.inForceFrom()).isEqualTo(Version.parse("2.0.0"));
        assertThat(b.refusesOlderThan()).isEqualTo(Version.parse("1.5.0"));
        assertThat(b.lastAbleToRestore()).isEqualTo(Version.parse("1.9.9"));
        assertThat(b).hasToString("RestoreBarrier[from 2.0.0 refuses backups older than 1.5.0; "
                + "last able to restore them: 1.9.9]");
        // a barrier may refuse every backup of the versions before it
        assertThat(RestoreBarrier.from("2.0.0").refusesOlderThan("2.0.0").lastAbleToRestore("1.9.9").refusesOlderThan())
                .isEqualTo(Version.parse("2.0.0"));
    }

    @Test
    void barrierRefusesVersionsInTheWrongOrderNamingTheValueAndTheFix() {
        assertThatThrownBy(() -> RestoreBarrier.from("2.0.0").refusesOlderThan("2.1.0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refusesOlderThan(2.1.0) is newer than 2.0.0")
                .hasMessageContaining("use 2.0.0 or an older version");
        RestoreBarrier.Refusing refusing = RestoreBarrier.from("2.0.0").refusesOlderThan("1.5.0");
        assertThatThrownBy(() -> refusing.lastAbleToRestore("2.0.0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lastAbleToRestore(2.0.0) must be a release older than 2.0.0");
        assertThatThrownBy(() -> refusing.lastAbleToRestore("2.3.1"))
                .hasMessageContaining("lastAbleToRestore(2.3.1) must be a release older than 2.0.0");
        assertThatThrownBy(() -> RestoreBarrier.from("2.0.0").refusesOlderThan("1.x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'1.x' is not a version");
        assertThatThrownBy(() -> RestoreBarrier.from((Version) null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("from");
    }

    @Test
    void backupFromANewerVersionIsRefusedWithTheVersionToUpgradeTo() {
        CompatibilityDecision.Refused r = (CompatibilityDecision.Refused) VersionCompatibility.newerVersionsRefused()
                .check(Version.parse("1.9.0"), backupFrom("1.10.0"));
        assertThat(r.minimumVersion()).contains(Version.parse("1.10.0"));
        assertThat(r.lastVersionThatCanRestore()).isEmpty();
        assertThat(r.reason()).contains("upgrade to 1.10.0 or later");
    }

    @Test
    void engineRefusesABackupFromANewerVersionBeforeAnyPartPrepares() throws Exception {
        Fixture f = new Fixture(tmp);
        Path archive;
        try (MaintenanceEngine newer = f.builder().product("demo", Version.parse("2.0.0"))
                .workDirectory(tmp.resolve("newer")).build()) {
            archive = f.backup(newer, "newer.tgz");
        }
        Map<String, String> before = f.targets();
        try (MaintenanceEngine engine = f.builder().build()) {
            assertThatThrownBy(() -> engine.verify(archive))
                    .isInstanceOf(IncompatibleBackupException.class)
                    .hasMessageContaining("upgrade to 2.0.0 or later");
            OperationStatus s = Fixture.await(engine.startRestore(RestoreSource.of(archive)));
            assertThat(s.succeeded()).isFalse();
            assertThat(s.errorCode()).contains(ErrorCode.INCOMPATIBLE_VERSION);
            assertThat(s.statusMessage()).isEqualTo("Restore refused: the backup was made by version 2.0.0, which is"
                    + " newer than the running version 1.4.2: upgrade to 2.0.0 or later to restore it. Nothing was "
                    + "changed.");
            assertThat(s.lastVersionThatCanRestore()).isEmpty();
        }
        assertThat(f.targets()).isEqualTo(before);
        assertThat(f.files.prepares).hasValue(0);
    }

    @Test
    void engineRefusesABackupOfAnotherProduct() throws Exception {
        Fixture f = new Fixture(tmp);
        Path archive;
        try (MaintenanceEngine other = f.builder().product("other", Version.parse("1.0.0"))
                .workDirectory(tmp.resolve("other")).build()) {
            archive = f.backup(other, "other.tgz");
        }
        try (MaintenanceEngine engine = f.builder().build()) {
            OperationStatus s = Fixture.await(engine.startRestore(RestoreSource.of(archive)));
            assertThat(s.errorCode()).contains(ErrorCode.INCOMPATIBLE_VERSION);
            assertThat(s.statusMessage()).isEqualTo("Restore refused: the backup was made by the product 'other', not"
                    + " by 'demo': restore it with the product that made it. Nothing was changed.");
        }
        assertThat(f.files.prepares).hasValue(0);
    }

    @Test
    void engineRefusesABackupBehindABarrierNamingTheLastVersionThatCanRestoreIt() throws Exception {
        Fixture f = new Fixture(tmp);
        Path archive;
        try (MaintenanceEngine old = f.builder().product("demo", Version.parse("1.0.73"))
                .workDirectory(tmp.resolve("old")).build()) {
            archive = f.backup(old, "old.tgz");
        }
        Map<String, String> before = f.targets();
        try (MaintenanceEngine engine = f.builder().product("demo", Version.parse("2.1.0"))
                .compatibility(VersionCompatibility.barriers(List.of(
                        RestoreBarrier.from("2.0.0").refusesOlderThan("1.5.0").lastAbleToRestore("1.9.9"))))
                .build()) {
            OperationStatus s = Fixture.await(engine.startRestore(RestoreSource.of(archive)));
            assertThat(s.succeeded()).isFalse();
            assertThat(s.errorCode()).contains(ErrorCode.INCOMPATIBLE_VERSION);
            assertThat(s.lastVersionThatCanRestore()).contains("1.9.9");
            assertThat(s.statusMessage()).startsWith("Restore refused: the backup was made by version 1.0.73")
                    .contains("The last version that can restore it is 1.9.9");
        }
        assertThat(f.targets()).isEqualTo(before);
        assertThat(f.files.prepares).hasValue(0);
    }
}
