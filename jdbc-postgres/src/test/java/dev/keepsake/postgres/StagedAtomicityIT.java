package dev.keepsake.postgres;

import dev.keepsake.testkit.PostgresServer;

/**
 * Every failure of {@link AtomicityIT} again, with every table that allows it staged (loaded on connections of their
 * own before the restore's transaction): the target stays exactly as it was, and no staging schema is left (the
 * snapshot is pg_dump of the whole database plus the catalog inventory).
 */
class StagedAtomicityIT extends AtomicityIT {

    StagedAtomicityIT(PostgresServer server) {
        super(server);
    }

    @Override
    PostgresPart.Builder targetBuilder() {
        return super.targetBuilder().restoreParallelism(3).restoreStagingMinBytes(0);
    }
}
