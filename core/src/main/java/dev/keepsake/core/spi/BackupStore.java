package dev.keepsake.core.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where finished backups live. Only complete, verified backups are ever listed or opened: a backup becomes visible
 * when {@link PendingBackup#commit} returns and never before. Implementations must be thread-safe.
 */
public interface BackupStore {

    /**
     * Starts storing a new backup with the given id. The archive is written to {@link PendingBackup#output()};
     * nothing is visible until {@link PendingBackup#commit}.
     */
    PendingBackup begin(String backupId) throws IOException;

    /** The stored backups, newest first. */
    List<StoredBackup> list() throws IOException;

    /** The newest stored backup, if any. */
    default Optional<StoredBackup> latest() throws IOException {
        List<StoredBackup> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    /** A backup being written. Exactly one of {@link #commit} or {@link #abort} is called, then {@link #close}. */
    interface PendingBackup extends AutoCloseable {
        /** The stream to write the archive to; owned by the pending backup (do not close it). */
        OutputStream output() throws IOException;

        /**
         * Makes the backup visible (durably: flushed and synced before it becomes visible) and prunes old backups
         * beyond the store's retention.
         *
         * @param size   the archive's length in bytes, as written
         * @param sha256 the archive's SHA-256 in lower-case hex, as written; the store may check it
         */
        StoredBackup commit(long size, String sha256) throws IOException;

        /**
         * The local file the archive is being written to, if the store writes to one; the engine then reads the
         * archive back and checks it before {@link #commit} (see
         * {@code MaintenanceEngine.Builder#backupVerification}). It asks for it before writing and reads it while the
         * archive is written, never beyond the bytes already passed to {@link #output()}; it waits for a file that
         * does not exist yet or lags behind the stream, and must find all bytes in it before {@link #commit}.
         * Default: empty (not verified before commit).
         */
        default Optional<Path> localFile() {
            return Optional.empty();
        }

        /** Discards what was written. Idempotent. */
        void abort() throws IOException;

        @Override
        default void close() throws IOException {
        }
    }

    /** A complete backup in the store. Immutable. */
    interface StoredBackup {
        String id();

        long size();

        /** SHA-256 of the whole archive file, lower-case hex. */
        String sha256();

        Instant createdAt();

        /** The file name to offer on download, e.g. {@code keepsake-1.0.73_2022-02-16T15-37-19.242Z.tgz}. */
        String fileName();

        /** Opens the archive from {@code offset} (0 for the whole file); the caller owns and closes the stream. */
        InputStream open(long offset) throws IOException;
    }
}
