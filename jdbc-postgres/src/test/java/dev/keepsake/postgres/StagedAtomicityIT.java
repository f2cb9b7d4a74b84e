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

    /** The primary key of a staged table is added on its staging copy, by the connection that loaded it. */
    @Override
    String duplicateKeyFailsWhile() {
        return "building an index of table public.actor on its staged copy";
    }

    @Override
    PostgresPart.Builder targetBuilder() {
        return super.targetBuilder().restoreParallelism(3).restoreStagingMinBytes(0);
    }
}
