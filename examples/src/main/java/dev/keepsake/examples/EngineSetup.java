package dev.keepsake.examples;

import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.core.Version;
import dev.keepsake.postgres.PostgresPart;
import dev.keepsake.volume.VolumePart;

import javax.sql.DataSource;
import java.util.List;

/**
 * Assembles an engine the same way for every command: the demo product's name, version and restore barrier, the
 * PostgreSQL part first (its commit is the one most likely to fail, so it goes first), then one part per volume.
 * Stateless.
 */
final class EngineSetup {

    private EngineSetup() {
    }

    /** A builder with product, compatibility and parts set; the caller adds work directory, keys, hooks. */
    static MaintenanceEngine.Builder builder(Version productVersion, DataSource database, List<VolumeSpec> volumes) {
        MaintenanceEngine.Builder b = MaintenanceEngine.builder()
                .product(DemoProduct.NAME, productVersion)
                .compatibility(DemoProduct.compatibility());
        if (database != null) {
            b.part(PostgresPart.builder().dataSource(database).build());
        }
        for (VolumeSpec v : volumes) {
            b.part(VolumePart.builder().name(v.name()).path(v.path()).build());
        }
        return b;
    }

    /** A builder for verifying archives only: product and compatibility, and a part that never runs. */
    static MaintenanceEngine.Builder verifier(Version productVersion) {
        return builder(productVersion, null, List.of()).part(new VerifyOnlyPart());
    }
}
