package dev.keepsake.examples;

import dev.keepsake.core.spi.BackupStore;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The backup store of {@code backup --output FILE}: the archive is written to a hidden temp file next to FILE, and
 * only a complete archive is synced and renamed onto FILE in one atomic step. A failed or interrupted backup leaves
 * FILE as it was (absent, or the previous archive) and deletes the temp file. Thread-safe.
 */
final class SingleFileStore implements BackupStore {

    private final Path target;
    private volatile StoredBackup committed;

    SingleFileStore(Path target) {
        this.target = target.toAbsolutePath().normalize();
    }

    @Override
    public PendingBackup begin(String backupId) throws IOException {
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".part");
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
        return new Pending(backupId, temp, channel);
    }

    @Override
    public List<StoredBackup> list() {
        StoredBackup b = committed;
        return b == null ? List.of() : new ArrayList<>(List.of(b));
    }

    Optional<StoredBackup> written() {
        return Optional.ofNullable(committed);
    }

    private final class Pending implements PendingBackup {
        private final String id;
        private final Path temp;
        private final FileChannel channel;
        private final OutputStream out;
        private boolean done;

        Pending(String id, Path temp, FileChannel channel) {
            this.id = id;
            this.temp = temp;
            this.channel = channel;
            // the channel is closed in commit/abort/close; the wrapper must not close it early
            this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        }

        @Override
        public OutputStream output() {
            return out;
        }

        /** The temp file, so that the engine can check the archive before it replaces the output file. */
        @Override
        public Optional<Path> localFile() {
            return Optional.of(temp);
        }

        @Override
        public synchronized StoredBackup commit(long size, String sha256) throws IOException {
            out.flush();
            channel.force(true);
            long actual = channel.size();
            channel.close();
            if (actual != size) {
                throw new IOException("the archive file has " + actual + " bytes but " + size + " were written");
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename the finished archive onto " + target
                        + " atomically; choose an output file on a local file system", e);
            }
            syncDirectory(target.getParent());
            done = true;
            StoredBackup b = new Stored(id, target, size, sha256, Instant.now());
            committed = b;
            return b;
        }

        @Override
        public synchronized void abort() throws IOException {
            if (!done) {
                done = true;
                channel.close();
                Files.deleteIfExists(temp);
            }
        }

        @Override
        public synchronized void close() throws IOException {
            abort();
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // some file systems cannot open or sync a directory; the rename itself has happened
        }
    }

    private record Stored(String id, Path file, long size, String sha256, Instant createdAt) implements StoredBackup {
        @Override
        public String fileName() {
            return file.getFileName().toString();
        }

        @Override
        public InputStream open(long offset) throws IOException {
            InputStream in = Files.newInputStream(file);
            try {
                in.skipNBytes(offset);
            } catch (IOException e) {
                in.close();
                throw e;
            }
            return in;
        }
    }
}
