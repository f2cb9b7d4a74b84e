package dev.keepsake.core.internal.store;

import dev.keepsake.core.spi.support.DaemonThreads;
import dev.keepsake.core.FileSystemBackupStore;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The output stream of a backup that {@link FileSystemBackupStore} writes to a file: writes to the file's channel and,
 * after every {@value #SYNC_EVERY} bytes, starts an {@code fdatasync} of what the file has so far on a daemon thread
 * named {@code keepsake-store-sync-<backup id>} (as PostgreSQL's {@code backend_flush_after} does), so that the disk
 * writes overlap the backup and the {@code fsync} before the backup becomes visible finds little left to write. At most
 * one such sync runs at a time. A sync that failed fails the backup: after a failed {@code fsync}, Linux may report a
 * later one as successful although the pages it could not write are lost.
 *
 * <p>Not thread-safe: one writing thread; {@link #awaitSyncs()} and {@link #stopSyncs()} are called after the writing.
 */
public final class SyncingFileOutput extends OutputStream {

    /** Bytes written between two background syncs. */
    static final long SYNC_EVERY = 8L << 20;

    private final FileChannel channel;
    private final OutputStream out;
    private final String backupId;
    private ExecutorService syncer;
    private Future<?> sync;
    private long unsynced;
    private int syncs;

    public SyncingFileOutput(FileChannel channel, String backupId) {
        this.channel = channel;
        this.out = Channels.newOutputStream(channel);
        this.backupId = backupId;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        unsynced += len;
        if (unsynced >= SYNC_EVERY && (sync == null || sync.isDone())) {
            awaitSyncs(); // done already; throws if it failed
            if (syncer == null) {
                syncer = Executors.newSingleThreadExecutor(r -> DaemonThreads.newThread(r,
                        "keepsake-store-sync-" + backupId));
            }
            unsynced = 0;
            syncs++;
            sync = syncer.submit(() -> {
                channel.force(false);
                return null;
            });
        }
    }

    /** How many background syncs were started. */
    int syncsStarted() {
        return syncs;
    }

    /** Waits for the background sync in flight, if any; throws if it failed. */
    public void awaitSyncs() throws IOException {
        if (sync == null) {
            return;
        }
        try {
            sync.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException ie = new InterruptedIOException("interrupted while syncing the backup file");
            ie.initCause(e);
            throw ie;
        } catch (ExecutionException e) {
            throw new IOException("syncing the backup file to disk failed: " + e.getCause(), e.getCause());
        } finally {
            sync = null;
        }
    }

    /** Ends the sync thread (after a sync in flight, whose outcome no longer matters, has ended). Idempotent. */
    public void stopSyncs() {
        if (syncer == null) {
            return;
        }
        syncer.shutdown();
        boolean interrupted = false;
        while (!syncer.isTerminated()) {
            try {
                syncer.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Does not close the channel (the pending backup does). */
    @Override
    public void close() {
    }
}
