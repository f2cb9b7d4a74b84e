package dev.keepsake.core.internal.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The default store's output stream, which syncs the file in the background while it is written. */
class SyncingFileOutputTest {

    @TempDir
    Path tmp;

    private static byte[] data(int size) {
        byte[] b = new byte[size];
        new Random(3).nextBytes(b);
        return b;
    }

    private static boolean syncThreadAlive(String backupId) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("keepsake-store-sync-" + backupId) && t.isAlive());
    }

    @Test
    void syncsEveryFewMebibytesWhileWritingAndWritesEveryByte() throws Exception {
        byte[] content = data(20 << 20);
        Path file = tmp.resolve("archive");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            SyncingFileOutput out = new SyncingFileOutput(channel, "b-1");
            for (int off = 0; off < content.length; off += 100_000) {
                out.write(content, off, Math.min(100_000, content.length - off));
            }
            out.awaitSyncs();
            out.stopSyncs();

            assertThat(out.syncsStarted()).isBetween(1, (int) (content.length / SyncingFileOutput.SYNC_EVERY));
            assertThat(syncThreadAlive("b-1")).isFalse();
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(content);
    }

    @Test
    void aSmallBackupStartsNoThread() throws Exception {
        Path file = tmp.resolve("small");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            SyncingFileOutput out = new SyncingFileOutput(channel, "b-2");
            out.write(data(1000));
            out.awaitSyncs();
            out.stopSyncs();

            assertThat(out.syncsStarted()).isZero();
            assertThat(syncThreadAlive("b-2")).isFalse();
        }
    }

    @Test
    void aFailedBackgroundSyncFailsTheBackup() throws Exception {
        Path file = tmp.resolve("failing");
        try (FileChannel real = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            SyncingFileOutput out = new SyncingFileOutput(new FailingForce(real), "b-3");
            byte[] content = data((int) SyncingFileOutput.SYNC_EVERY + 1);
            out.write(content);

            assertThat(out.syncsStarted()).isEqualTo(1);
            assertThatThrownBy(out::awaitSyncs).isInstanceOf(IOException.class)
                    .hasMessage("syncing the backup file to disk failed: java.io.IOException: Input/output error");
            out.stopSyncs();
        }
    }

    /** A file channel whose {@code force} fails as a dying disk's {@code fsync} does; everything else is the file's. */
    private static final class FailingForce extends FileChannel {
        private final FileChannel file;

        FailingForce(FileChannel file) {
            this.file = file;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            throw new IOException("Input/output error");
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return file.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return file.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return file.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return file.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            file.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            file.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return file.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return file.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return file.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return file.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return file.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return file.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return file.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            file.close();
        }
    }
}
