package dev.keepsake.core;

import dev.keepsake.core.internal.store.OwnerOnly;
import dev.keepsake.core.internal.store.SyncingFileOutput;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.keepsake.core.spi.BackupStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The default {@link BackupStore}: archives in one local directory.
 *
 * <p>A backup is written to {@code <dir>/.tmp-<random>} (synced to disk in the background every few MiB while it is
 * written, so that the final sync has little left to do), flushed and synced ({@code fsync}), then atomically renamed
 * to {@code keepsake-<id>.tgz} (colons in the id become {@code -}); then a small record
 * {@code keepsake-<id>.tgz.json} (id, file name, size, SHA-256, creation time) is written to a temp file, synced and
 * atomically renamed, and the directory is synced. Only archives that have such a record and the recorded size are
 * listed or served, so a crash at any point leaves either the previous state or the complete new backup. After each
 * commit, backups beyond the retention count are deleted (oldest first). On construction, stale temp files and
 * archives without a record (a crash between the two renames) are deleted; the directory must therefore not be shared
 * by two stores that run at the same time.
 *
 * <p><b>Thread-safe.</b>
 */
public final class FileSystemBackupStore implements BackupStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileSystemBackupStore.class);
    private static final String TEMP_PREFIX = ".tmp-";
    private static final String RECORD_SUFFIX = ".json";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._+:-]{1,200}");
    private static final Pattern ARCHIVE = Pattern.compile("keepsake-.+\\.(tgz|tar\\.zst)");
    private static final JsonFactory JSON = new JsonFactory();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path directory;
    private final int retain;
    private final ArchiveFormat format;
    private final Object commitLock = new Object();

    private FileSystemBackupStore(Path directory, int retain, ArchiveFormat format) {
        this.directory = directory;
        this.retain = retain;
        this.format = format;
    }

    /** Starts a builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The directory holding the backups. */
    public Path directory() {
        return directory;
    }

    /** How many backups are kept. */
    public int retain() {
        return retain;
    }

    /** The file name for a backup id: {@code keepsake-<id, ':' replaced by '-'><extension>}. */
    public String fileName(String backupId) {
        return "keepsake-" + backupId.replace(':', '-') + format.extension();
    }

    @Override
    public PendingBackup begin(String backupId) throws IOException {
        if (backupId == null || !ID.matcher(backupId).matches()) {
            throw new IllegalArgumentException("backup id '" + backupId + "' is invalid: use 1-200 of [A-Za-z0-9._+:-]");
        }
        Path temp = directory.resolve(TEMP_PREFIX + HexFormat.of().formatHex(randomBytes()));
        FileChannel channel = OwnerOnly.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new Pending(backupId, temp, channel);
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }

    @Override
    public List<StoredBackup> list() throws IOException {
        List<StoredBackup> result = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(directory, "keepsake-*" + RECORD_SUFFIX)) {
            for (Path record : dir) {
                Stored s = readRecord(record);
                if (s != null) {
                    result.add(s);
                }
            }
        }
        result.sort(Comparator.comparing(StoredBackup::createdAt).thenComparing(StoredBackup::id).reversed());
        return result;
    }

    /** Reads a record; null when it is unreadable or its archive is missing or has another size. */
    private Stored readRecord(Path record) {
        try {
            String id = null;
            String fileName = null;
            String sha = null;
            long size = -1;
            Instant created = null;
            try (JsonParser p = JSON.createParser(Files.readAllBytes(record))) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    return null;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.currentName();
                    p.nextToken();
                    switch (f) {
                        case "id" -> id = p.getText();
                        case "fileName" -> fileName = p.getText();
                        case "sha256" -> sha = p.getText();
                        case "size" -> size = p.getLongValue();
                        case "createdAt" -> created = Instant.parse(p.getText());
                        default -> p.skipChildren();
                    }
                }
            }
            if (id == null || fileName == null || sha == null || size < 0 || created == null
                    || !ARCHIVE.matcher(fileName).matches() || !record.getFileName().toString()
                    .equals(fileName + RECORD_SUFFIX)) {
                return null;
            }
            Path archive = directory.resolve(fileName);
            if (!Files.isRegularFile(archive) || Files.size(archive) != size) {
                return null;
            }
            return new Stored(id, size, sha, created, fileName, archive);
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring unreadable backup record {}: {}", record.getFileName(), e.toString());
            return null;
        }
    }

    private void sweep() throws IOException {
        List<Path> toDelete = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(directory)) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (name.startsWith(TEMP_PREFIX)) {
                    toDelete.add(p);
                } else if (ARCHIVE.matcher(name).matches()
                        && !Files.exists(directory.resolve(name + RECORD_SUFFIX))) {
                    toDelete.add(p);
                } else if (name.startsWith("keepsake-") && name.endsWith(RECORD_SUFFIX)
                        && !Files.exists(directory.resolve(name.substring(0, name.length() - RECORD_SUFFIX.length())))) {
                    toDelete.add(p);
                }
            }
        }
        for (Path p : toDelete) {
            LOG.info("deleting stale file {} left by an interrupted backup", p.getFileName());
            Files.deleteIfExists(p);
        }
    }

    private void prune() throws IOException {
        List<StoredBackup> all = list();
        for (int i = retain; i < all.size(); i++) {
            Stored s = (Stored) all.get(i);
            Files.deleteIfExists(directory.resolve(s.fileName() + RECORD_SUFFIX));
            Files.deleteIfExists(s.file);
        }
    }

    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some platforms (Windows) cannot open a directory for syncing; the renames are still atomic there.
            LOG.debug("cannot sync directory {}: {}", directory, e.toString());
        }
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the backup directory does not support atomic renames; use a local file system", e);
        }
    }

    private static Instant createdAtOf(String id) {
        int sep = id.lastIndexOf('_');
        if (sep >= 0) {
            try {
                return Instant.parse(id.substring(sep + 1));
            } catch (DateTimeParseException e) {
                // not an engine-made id: fall through to the current time
            }
        }
        return Instant.now();
    }

    /** A backup being written. */
    private final class Pending implements PendingBackup {
        private final String id;
        private final Path temp;
        private final FileChannel channel;
        private final SyncingFileOutput out;
        private boolean finished;

        Pending(String id, Path temp, FileChannel channel) {
            this.id = id;
            this.temp = temp;
            this.channel = channel;
            this.out = new SyncingFileOutput(channel, id);
        }

        @Override
        public OutputStream output() {
            return out;
        }

        @Override
        public Optional<Path> localFile() {
            return Optional.of(temp);
        }

        @Override
        public StoredBackup commit(long size, String sha256) throws IOException {
            if (finished) {
                throw new IllegalStateException("backup " + id + " is already committed or aborted");
            }
            finished = true;
            boolean done = false;
            Path recordTemp = directory.resolve(TEMP_PREFIX + HexFormat.of().formatHex(randomBytes()));
            try {
                if (channel.size() != size) {
                    throw new IOException("backup " + id + ": the store received " + channel.size()
                            + " bytes but the archive has " + size);
                }
                out.awaitSyncs();
                channel.force(true);
                out.stopSyncs();
                channel.close();
                String fileName = fileName(id);
                Instant created = createdAtOf(id);
                byte[] record = record(id, fileName, size, sha256, created);
                try (FileChannel rc = OwnerOnly.open(recordTemp, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    rc.write(java.nio.ByteBuffer.wrap(record));
                    rc.force(true);
                }
                Path archive = directory.resolve(fileName);
                synchronized (commitLock) {
                    moveAtomically(temp, archive);
                    moveAtomically(recordTemp, directory.resolve(fileName + RECORD_SUFFIX));
                    syncDirectory();
                    done = true;
                    try {
                        prune();
                    } catch (IOException | RuntimeException e) {
                        // the new backup is durable and visible; old ones are pruned after the next backup
                        LOG.warn("backup {} stored, but older backups could not be pruned: {}", id, e.toString());
                    }
                }
                return new Stored(id, size, sha256, created, fileName, archive);
            } finally {
                if (!done) {
                    channel.close();
                    out.stopSyncs();
                    Files.deleteIfExists(temp);
                    Files.deleteIfExists(recordTemp);
                }
            }
        }

        @Override
        public void abort() throws IOException {
            if (finished) {
                return;
            }
            finished = true;
            try {
                channel.close();
            } finally {
                out.stopSyncs();
                Files.deleteIfExists(temp);
            }
        }

        @Override
        public void close() throws IOException {
            abort();
        }
    }

    private static byte[] record(String id, String fileName, long size, String sha, Instant created)
            throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(b)) {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("fileName", fileName);
            g.writeNumberField("size", size);
            g.writeStringField("sha256", sha);
            g.writeStringField("createdAt", created.toString());
            g.writeEndObject();
        }
        return b.toByteArray();
    }

    /** A stored backup. */
    private record Stored(String id, long size, String sha256, Instant createdAt, String fileName, Path file)
            implements StoredBackup {
        @Override
        public InputStream open(long offset) throws IOException {
            if (offset < 0 || offset > size) {
                throw new IllegalArgumentException("offset " + offset + " is outside the backup (0.." + size + ")");
            }
            FileChannel c;
            try {
                c = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                throw new IOException("backup " + id + " was deleted (pruned by a newer backup)", e);
            }
            c.position(offset);
            return Channels.newInputStream(c);
        }
    }

    /** Configuration of a {@link FileSystemBackupStore}. Not thread-safe. */
    public static final class Builder {
        private Path directory;
        private int retain = 1;
        private ArchiveFormat format = ArchiveFormat.GZIP;

        private Builder() {
        }

        /** The directory for the backups; created if missing. Required. */
        public Builder directory(Path directory) {
            this.directory = directory;
            return this;
        }

        /** How many backups to keep (≥ 1). Default 1. */
        public Builder retain(int count) {
            this.retain = count;
            return this;
        }

        /** The archive format, which decides the file extension. Default {@link ArchiveFormat#GZIP}. */
        public Builder format(ArchiveFormat format) {
            this.format = format;
            return this;
        }

        /**
         * Validates, creates the directory and sweeps stale temp files.
         *
         * @throws InvalidConfigurationException listing every problem
         * @throws UncheckedIOException  when the directory cannot be created or read
         */
        public FileSystemBackupStore build() {
            List<String> problems = new ArrayList<>();
            if (directory == null) {
                problems.add("the backup directory is required (directory(Path))");
            }
            if (retain < 1) {
                problems.add("retain must be at least 1 but is " + retain);
            }
            if (format == null) {
                problems.add("the archive format must not be null");
            }
            if (!problems.isEmpty()) {
                throw new InvalidConfigurationException("Invalid backup store configuration: "
                        + String.join("; ", problems));
            }
            try {
                Path dir = directory.toAbsolutePath();
                OwnerOnly.createDirectories(dir);
                FileSystemBackupStore store = new FileSystemBackupStore(dir, retain, format);
                store.sweep();
                return store;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare the backup directory " + directory, e);
            }
        }
    }
}
