package dev.keepsake.core.internal.engine;

import dev.keepsake.core.spi.support.Closeables;
import dev.keepsake.core.spi.support.DaemonThreads;
import dev.keepsake.core.BackupVerification;
import dev.keepsake.core.internal.archive.ArchiveLayout;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.LongConsumer;

/**
 * The read-back check of a new backup ({@link BackupVerification#STORED_BYTES}), done while the archive is written: a
 * daemon thread named {@code keepsake-readback-<operation id>} reads the store's local file behind the writer (only
 * bytes already handed to the store, a MiB or more at a time) and hashes them; {@link #verify} then waits for it to
 * reach the end and compares the file's size and SHA-256 with the writer's. It reads the file's bytes through the
 * operating system's cache, as a read after the end would, but each part soon after it was written: the read and the
 * hashing leave the end of the backup, and a change to bytes already read back (anything but the file's size) is not
 * seen; {@link BackupVerification#FULL} reads the complete file again. When the store's file lags behind its output
 * stream (a store that buffers, or creates its file later), the thread waits for more to be handed over and catches
 * up in {@link #verify}.
 *
 * <p>Thread-safe: the stream from {@link #watch} is written by the archive's writing thread, the other methods are
 * called by the operation's thread.
 */
final class StoredBytesCheck implements AutoCloseable {

    /** The reader reads once this much is new (and the rest at the end). */
    static final int READ_SIZE = 1 << 20;

    private final Path file;
    private final Thread thread;
    private final Object lock = new Object();
    /** Bytes handed to the store so far. Guarded by {@link #lock}. */
    private long handedOver;
    /** The archive's size once it is complete, -1 before. Guarded by {@link #lock}. */
    private long end = -1;
    /** Guarded by {@link #lock}. */
    private boolean stopped;
    /** Bytes of the file read and hashed so far. */
    private volatile long read;
    /** How often the reader found no file yet. */
    private volatile int fileMissing;
    /** Set by the reader thread before it ends; read after joining it. */
    private String sha256;
    private IOException failure;

    /**
     * Starts the reader thread on {@code file}, the pending backup's
     * {@linkplain dev.keepsake.core.spi.BackupStore.PendingBackup#localFile local file}.
     */
    StoredBytesCheck(Path file, String operationId) {
        this.file = file;
        this.thread = DaemonThreads.start("keepsake-readback-" + operationId, this::run);
    }

    /**
     * Wraps the store's output stream: counts the bytes passed through, so that the reader knows how far the file may
     * be read. Closing the wrapper only flushes (the pending backup owns the stream).
     */
    OutputStream watch(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                handedOver(1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                handedOver(len);
            }

            @Override
            public void close() throws IOException {
                out.flush();
            }
        };
    }

    private void handedOver(long n) {
        synchronized (lock) {
            handedOver += n;
            if (handedOver - read >= READ_SIZE) {
                lock.notifyAll();
            }
        }
    }

    /** Bytes of the file read back so far. */
    long bytesRead() {
        return read;
    }

    /** How often the reader looked for the file before it existed. */
    int timesFileMissing() {
        return fileMissing;
    }

    /**
     * Call once the archive is complete (all {@code size} bytes handed to the store, which has them in its file):
     * waits for the reader to read the rest, reporting its position to {@code progress}.
     *
     * @return null when the file has {@code size} bytes whose SHA-256 is {@code sha256} (lower-case hex), else what
     *     differs, for the error message
     * @throws IOException when the file could not be read
     */
    String verify(long size, String sha256, LongConsumer progress) throws IOException, InterruptedException {
        synchronized (lock) {
            end = size;
            lock.notifyAll();
        }
        while (thread.isAlive()) {
            thread.join(100);
            progress.accept(read);
        }
        progress.accept(read);
        if (failure != null) {
            throw failure;
        }
        long fileSize = Files.size(file);
        if (fileSize != size) {
            return "it has " + fileSize + " bytes where " + size + " were written";
        }
        if (read != size) {
            return "it had " + read + " bytes when read back where " + size + " were written";
        }
        if (!this.sha256.equals(sha256)) {
            return "its SHA-256 is " + this.sha256 + " where the bytes written had " + sha256;
        }
        return null;
    }

    /** Stops the reader thread (if still running) and waits for it; idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            stopped = true;
            lock.notifyAll();
        }
        thread.interrupt();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            failure = new IOException("SHA-256 is not available in this JVM", e);
            return;
        }
        FileChannel channel = null;
        try {
            ByteBuffer buffer = ByteBuffer.allocate(READ_SIZE);
            long pos = 0;
            long stalledAt = -1; // the amount handed over when the file last had less than that
            while (true) {
                long available;
                long size;
                synchronized (lock) {
                    while (!stopped && end < 0 && (handedOver - pos < READ_SIZE || handedOver == stalledAt)) {
                        lock.wait();
                    }
                    if (stopped) {
                        return;
                    }
                    available = handedOver;
                    size = end;
                }
                if (channel == null) {
                    try {
                        channel = FileChannel.open(file, StandardOpenOption.READ);
                    } catch (NoSuchFileException e) {
                        if (size >= 0) {
                            throw e;
                        }
                        fileMissing++; // only this thread writes it
                        stalledAt = available; // a store that creates its file later: wait for more
                        continue;
                    }
                }
                long target = size >= 0 ? size : available;
                int n = 0;
                while (pos < target) {
                    buffer.clear().limit((int) Math.min(READ_SIZE, target - pos));
                    n = channel.read(buffer, pos);
                    if (n <= 0) {
                        break;
                    }
                    digest.update(buffer.array(), 0, n);
                    pos += n;
                    read = pos;
                }
                if (size >= 0) {
                    sha256 = ArchiveLayout.hex(digest.digest()); // of as much as the file had, up to the size
                    return;
                }
                if (n <= 0 && pos < target) {
                    stalledAt = available;
                }
            }
        } catch (InterruptedException | InterruptedIOException | ClosedByInterruptException e) {
            failure = new InterruptedIOException("interrupted while reading the new backup back");
        } catch (IOException e) {
            failure = e;
        } finally {
            Closeables.closeQuietly(channel); // read-only: nothing to lose; a read error was already recorded
        }
    }
}
