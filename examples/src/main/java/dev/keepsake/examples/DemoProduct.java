package dev.keepsake.examples;

import dev.keepsake.core.RestoreBarrier;
import dev.keepsake.core.Version;
import dev.keepsake.core.VersionCompatibility;

import java.util.List;

/**
 * The demo application's identity and compatibility policy: its name, its current version, the restore barrier that
 * makes very old backups unrestorable, and which database migrations each version runs.
 *
 * <p>The story it tells: release 1.2.0 added an order status (migration V2); release 1.3.0 changed the database so
 * much that backups made before 1.1.0 can no longer be restored, so 1.2.9 is the last release that can restore them.
 * Run the demo as an older release with {@code --product-version} to try both: a backup from 1.1.0 is restored by
 * 1.3.0 and migrated forward by Flyway; a backup from 1.0.0 is refused, naming 1.2.9. Immutable.
 */
final class DemoProduct {

    /** The product name recorded in every backup. */
    static final String NAME = "demo";

    /** The version this build of the demo is. */
    static final Version CURRENT = Version.parse("1.3.0");

    /** From 1.3.0 on, backups older than 1.1.0 are refused; 1.2.9 was the last release before 1.3.0. */
    static final RestoreBarrier BARRIER = RestoreBarrier.from("1.3.0").refusesOlderThan("1.1.0")
            .lastAbleToRestore("1.2.9");

    /** The first release whose schema includes migration V2. */
    private static final Version ORDER_STATUS_RELEASE = Version.parse("1.2.0");

    private DemoProduct() {
    }

    static VersionCompatibility compatibility() {
        return VersionCompatibility.barriers(List.of(BARRIER));
    }

    /** The newest Flyway migration a release of the demo knows (its database schema version). */
    static String schemaVersion(Version release) {
        return release.isOlderThan(ORDER_STATUS_RELEASE) ? "1" : "2";
    }
}
