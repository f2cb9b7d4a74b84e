package dev.keepsake.postgres.internal.restore;

import dev.keepsake.core.spi.support.Closeables;
import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.postgres.PostgresRestoreException;
import dev.keepsake.postgres.internal.Sql;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The restore's open transaction: {@link #commit()} makes the whole backup visible at once, {@link #abort()} rolls
 * everything back. After a rollback, or a COMMIT that failed or whose outcome is unknown, it drops what the restore
 * staged ({@link StagedLoad#dropSchemas()}: harmless when the commit did happen). Used by the engine's operation
 * thread only.
 */
final class PreparedPostgresRestore implements PreparedRestore {

    private final Connection connection;
    private final String partName;
    private final Runnable afterRollback;
    private boolean ended;

    PreparedPostgresRestore(Connection connection, String partName, Runnable afterRollback) {
        this.connection = connection;
        this.partName = partName;
        this.afterRollback = afterRollback;
    }

    @Override
    public void commit() throws IOException {
        if (ended) {
            throw new IllegalStateException("part '" + partName + "': the restore was already committed or aborted");
        }
        ended = true;
        try {
            connection.commit();
        } catch (SQLException e) {
            Closeables.closeQuietly(connection);
            afterRollback.run();
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            if (state.startsWith("08")) {
                throw new PostgresRestoreException("restore of part '" + partName + "' lost its database connection "
                        + "during COMMIT: " + Sql.describe(e) + ". The outcome is unknown: the database holds either "
                        + "the whole backup or exactly its previous content; check it, then restore again if needed.",
                        false, e);
            }
            throw new PostgresRestoreException("restore of part '" + partName + "' failed at COMMIT: "
                    + Sql.describe(e) + ". Nothing was changed: the transaction was rolled back.", true, e);
        }
    }

    @Override
    public void abort() throws IOException {
        if (ended) {
            return;
        }
        ended = true;
        try {
            connection.rollback();
        } catch (SQLException e) {
            // a broken connection cannot roll back; the server rolls back the transaction when the session ends,
            // which closing it makes sure of
            Closeables.closeQuietly(connection);
        }
        afterRollback.run();
    }

    @Override
    public void close() throws IOException {
        if (!ended) {
            abort();
        }
        // closing a broken connection can fail; the server ends the session and its transaction either way
        Closeables.closeQuietly(connection);
    }
}
