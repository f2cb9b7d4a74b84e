package dev.keepsake.postgres.internal;

import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.postgres.PostgresRestoreException;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The restore's open transaction: {@link #commit()} makes the whole backup visible at once, {@link #abort()} rolls
 * everything back. Used by the engine's operation thread only.
 */
final class PreparedPostgresRestore implements PreparedRestore {

    private final Connection connection;
    private final String partName;
    private boolean ended;

    PreparedPostgresRestore(Connection connection, String partName) {
        this.connection = connection;
        this.partName = partName;
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
            // which close() makes sure of
            closeQuietly();
        }
    }

    @Override
    public void close() throws IOException {
        if (!ended) {
            abort();
        }
        closeQuietly();
    }

    private void closeQuietly() {
        try {
            connection.close();
        } catch (SQLException e) {
            // closing a broken connection can fail; the server ends the session and its transaction either way
        }
    }
}
