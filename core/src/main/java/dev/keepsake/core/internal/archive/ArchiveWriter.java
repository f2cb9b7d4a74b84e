package dev.keepsake.core.internal.archive;

import dev.keepsake.core.ArchiveFormat;
import dev.keepsake.core.ArchiveKey;
import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartWriter;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Writes one archive in one pass: header, the parts (through {@link PartWriter}s), then the manifest listing every
 * entry's size and SHA-256 (computed while the bytes go by; not for chunks: the manifest holds the size and SHA-256 of
 * the compressed bytes before it instead, see {@link Manifest.DataDigest}) and its HMAC signature. Writes into the tar
 * are serialised
 * by a fair semaphore (an entry opened with {@link PartWriter#addEntry} holds it until its stream is closed).
 * Thread-safe as far as {@link PartWriter} promises; the other methods are called by the engine's thread. Internal.
 */
public final class ArchiveWriter {

    /** Most attributes per part, longest key and value (the manifest is not a data store). */
    static final int MAX_ATTRIBUTES = 1000;
    static final int MAX_ATTRIBUTE_KEY = 256;
    static final int MAX_ATTRIBUTE_VALUE = 16 * 1024;
    static final int MAX_CHUNK_SIZE = 256 * 1024 * 1024;

    private final TarSink sink;
    private final Manifest header;
    private final Semaphore archiveLock = new Semaphore(1, true);
    private volatile Thread lockHolder;
    private volatile boolean failed;
    private final Set<String> tarNames = new HashSet<>();
    private final List<Manifest.Entry> entries = new ArrayList<>();
    private final List<Manifest.Part> parts = new ArrayList<>();
    private final byte[] copyBuffer = new byte[ArchiveLayout.BUFFER_SIZE];
    /** Hashes the entries added with addEntry (under the archive lock). */
    private final MessageDigest digest = TarSink.sha256();
    private long totalBytes;

    /**
     * @param sink   the archive's destination; never closed here
     * @param header product, backup id, creation time and the parts known up front (name, type, schema version)
     */
    public ArchiveWriter(OutputStream sink, ArchiveFormat format, int level, Manifest header) throws IOException {
        if (header.formatVersion() != ArchiveLayout.FORMAT_VERSION) {
            throw new IllegalArgumentException("archives are written in format " + ArchiveLayout.FORMAT_VERSION
                    + ", not " + header.formatVersion());
        }
        this.sink = new TarSink(sink, format, level);
        this.header = header;
    }

    /** Writes {@code keepsake/header.json}. */
    public void start() throws IOException {
        sink.writeEntry(metaEntry(ArchiveLayout.HEADER, header.createdAt()), ManifestJson.writeHeader(header));
    }

    public static TarArchiveEntry metaEntry(String name, Instant mtime) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
        e.setMode(0100644);
        e.setModTime(tarTime(mtime));
        return e;
    }

    /**
     * The tar header keeps whole seconds only: a fractional mtime would cost a PAX header (1 KiB) per entry. The
     * manifest keeps the exact time, and readers take it from there.
     */
    public static FileTime tarTime(Instant mtime) {
        return FileTime.from(mtime.getEpochSecond(), java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Opens the writer for the next part; close it with {@link #closePart}. */
    public Part openPart(Manifest.Part declared, JobContext context) {
        return new Part(declared, context);
    }

    /** Ends a part: checks that nothing is left open and records its attributes and totals. */
    public void closePart(Part part) throws IOException {
        part.closed = true;
        if (!archiveLock.tryAcquire()) {
            throw new IOException("part '" + part.name + "' returned while an entry it added was still open;"
                    + " close every stream returned by addEntry before write() returns");
        }
        try {
            if (!part.openStreams.isEmpty()) {
                throw new IOException("part '" + part.name + "' did not close the stream(s) "
                        + String.join(", ", part.openStreams) + " opened with openStream()");
            }
            parts.add(new Manifest.Part(part.name, part.declared.type(), part.declared.schemaVersion(),
                    new LinkedHashMap<>(part.attributes), part.entryCount, part.bytes));
        } finally {
            archiveLock.release();
        }
    }

    /**
     * Writes the manifest, the signature (when {@code signingKey} is not null) and the end of the archive.
     *
     * @return the manifest and the size and SHA-256 of the archive file
     */
    public Result finish(ArchiveKey signingKey) throws IOException {
        checkNotFailed();
        Manifest.DataDigest data = sink.endData();
        Manifest manifest = new Manifest(header.formatVersion(), header.productName(), header.productVersion(),
                header.backupId(), header.createdAt(), parts, entries, entries.size(), totalBytes, data);
        byte[] json = ManifestJson.writeManifest(manifest);
        Instant now = header.createdAt();
        sink.writeEntry(metaEntry(ArchiveLayout.MANIFEST, now), json);
        if (signingKey != null) {
            sink.writeEntry(metaEntry(ArchiveLayout.SIGNATURE, now), ManifestSignature.sign(signingKey, json));
        }
        TarSink.Written w = sink.finish();
        return new Result(manifest, w.size(), w.sha256());
    }

    /** Marks the archive failed: threads waiting to write are released and fail. Does not close the sink. */
    public void abort() {
        failed = true;
        archiveLock.release(1_000_000);
    }

    /** What was written. */
    public record Result(Manifest manifest, long size, String sha256) {
    }

    private void checkNotFailed() throws IOException {
        if (failed) {
            throw new IOException("the backup was aborted");
        }
    }

    private void lock(String part) throws IOException {
        if (lockHolder == Thread.currentThread()) {
            throw new IllegalStateException("part '" + part + "': this thread still has an entry open from addEntry;"
                    + " close its stream before writing anything else");
        }
        try {
            archiveLock.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to write to the archive");
        }
        if (failed) {
            archiveLock.release();
            throw new IOException("the backup was aborted");
        }
        lockHolder = Thread.currentThread();
    }

    private void unlock() {
        lockHolder = null;
        archiveLock.release();
    }

    /** The {@link PartWriter} of one part. */
    public final class Part implements PartWriter {
        private final Manifest.Part declared;
        private final String name;
        private final JobContext context;
        private final Map<String, String> attributes = new ConcurrentHashMap<>();
        private final Map<String, Integer> nextChunk = new HashMap<>();
        private final Set<String> openStreams = ConcurrentHashMap.newKeySet();
        private volatile boolean closed;
        private long entryCount;
        private long bytes;

        Part(Manifest.Part declared, JobContext context) {
            this.declared = declared;
            this.name = declared.name();
            this.context = context;
        }

        private void checkOpen() {
            if (closed) {
                throw new IllegalStateException("part '" + name + "' is finished; its writer can no longer be used");
            }
        }

        private void checkName(String what, String n) {
            String problem = ArchiveLayout.pathProblem(n);
            if (problem != null) {
                throw new IllegalArgumentException("part '" + name + "': " + what + " '"
                        + ManifestJson.abbreviate(String.valueOf(n)) + "' " + problem
                        + "; use a clean relative path with '/' separators");
            }
        }

        private TarArchiveEntry tarEntry(String tarName, byte type, long size, int mode, Instant mtime) {
            if (!tarNames.add(tarName)) {
                throw new IllegalArgumentException("part '" + name + "': entry '" + tarName
                        + "' was already written; every entry name must be unique in a part");
            }
            TarArchiveEntry e = new TarArchiveEntry(tarName, type, true);
            int perms = mode & 07777;
            e.setMode(switch (type) {
                case TarConstants.LF_DIR -> 040000 | perms;
                case TarConstants.LF_SYMLINK -> 0120000 | perms;
                default -> 0100000 | perms;
            });
            e.setModTime(tarTime(mtime));
            e.setSize(size);
            return e;
        }

        private void record(String tarName, ArchiveEntry e, long size, byte[] sha) {
            String path = e.type() == ArchiveEntry.Type.DIRECTORY ? tarName.substring(0, tarName.length() - 1) : tarName;
            entries.add(new Manifest.Entry(path, name, e.name(), e.type(), size, sha == null ? null : ArchiveLayout.hex(sha),
                    e.mode() & 07777, e.lastModified(), e.linkTarget(), e.chunkIndex()));
            entryCount++;
            bytes += size;
            totalBytes += size;
        }

        @Override
        public OutputStream addEntry(ArchiveEntry entry) throws IOException {
            checkOpen();
            if (entry.type() == ArchiveEntry.Type.CHUNK) {
                throw new IllegalArgumentException("part '" + name + "': add CHUNK entries with appendChunk or openStream");
            }
            checkName("entry name", entry.name());
            if (entry.type() == ArchiveEntry.Type.SYMLINK && (entry.linkTarget().isEmpty()
                    || entry.linkTarget().length() > 4096 || entry.linkTarget().indexOf('\0') >= 0)) {
                throw new IllegalArgumentException("part '" + name + "': symlink '" + entry.name() + "' has an empty, "
                        + "over-long (> 4096 characters) or NUL-containing target");
            }
            lock(name);
            boolean handedOver = false;
            try {
                String tarName = ArchiveLayout.tarName(name, entry.name(), entry.type() == ArchiveEntry.Type.DIRECTORY);
                byte type = switch (entry.type()) {
                    case DIRECTORY -> TarConstants.LF_DIR;
                    case SYMLINK -> TarConstants.LF_SYMLINK;
                    default -> TarConstants.LF_NORMAL;
                };
                TarArchiveEntry t = tarEntry(tarName, type, entry.size(), entry.mode(), entry.lastModified());
                if (entry.type() == ArchiveEntry.Type.SYMLINK) {
                    t.setLinkName(entry.linkTarget());
                }
                sink.tar().putArchiveEntry(t);
                digest.reset();
                EntryStream s = new EntryStream(tarName, entry);
                handedOver = true;
                return s;
            } finally {
                if (!handedOver) {
                    unlock();
                }
            }
        }

        @Override
        public void appendChunk(String streamName, ByteBuffer data) throws IOException {
            checkOpen();
            checkName("stream name", streamName);
            lock(name);
            try {
                int index = nextChunk.merge(streamName, 1, Integer::sum) - 1;
                String tarName = ArchiveLayout.chunkTarName(name, streamName, index);
                int size = data.remaining();
                Instant now = context.startedAt();
                sink.tar().putArchiveEntry(tarEntry(tarName, TarConstants.LF_NORMAL, size,
                        ArchiveEntry.DEFAULT_FILE_MODE, now));
                if (data.hasArray()) {
                    sink.tar().write(data.array(), data.arrayOffset() + data.position(), size);
                    data.position(data.limit());
                } else {
                    while (data.hasRemaining()) {
                        int n = Math.min(copyBuffer.length, data.remaining());
                        data.get(copyBuffer, 0, n);
                        sink.tar().write(copyBuffer, 0, n);
                    }
                }
                sink.tar().closeArchiveEntry();
                // no hash of its own: the manifest's data digest covers it
                record(tarName, new ArchiveEntry(streamName, ArchiveEntry.Type.CHUNK, size,
                        ArchiveEntry.DEFAULT_FILE_MODE, now, null, index), size, null);
                context.addProgress(size);
            } finally {
                unlock();
            }
        }

        @Override
        public OutputStream openStream(String streamName, int chunkSize) throws IOException {
            checkOpen();
            checkName("stream name", streamName);
            if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
                throw new IllegalArgumentException("part '" + name + "': chunk size " + chunkSize
                        + " is out of range; use 1.." + MAX_CHUNK_SIZE + " bytes (e.g. 8 MiB)");
            }
            if (!openStreams.add(streamName)) {
                throw new IllegalStateException("part '" + name + "': stream '" + streamName + "' is already open");
            }
            return new ChunkingOutputStream(this, streamName, chunkSize, () -> openStreams.remove(streamName));
        }

        @Override
        public void putAttribute(String key, String value) {
            checkOpen();
            if (key == null || key.isEmpty() || key.length() > MAX_ATTRIBUTE_KEY || value == null
                    || value.length() > MAX_ATTRIBUTE_VALUE) {
                throw new IllegalArgumentException("part '" + name + "': attribute keys must be 1-" + MAX_ATTRIBUTE_KEY
                        + " characters and values non-null and at most " + MAX_ATTRIBUTE_VALUE + " characters");
            }
            if (attributes.size() >= MAX_ATTRIBUTES && !attributes.containsKey(key)) {
                throw new IllegalArgumentException("part '" + name + "' has more than " + MAX_ATTRIBUTES + " attributes");
            }
            attributes.put(key, value);
        }

        /** The content stream of an entry added with addEntry: holds the archive lock until closed. */
        private final class EntryStream extends OutputStream {
            private final String tarName;
            private final ArchiveEntry entry;
            private long written;
            private boolean done;

            EntryStream(String tarName, ArchiveEntry entry) {
                this.tarName = tarName;
                this.entry = entry;
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (done) {
                    throw new IOException("entry '" + entry.name() + "' of part '" + name + "' is closed");
                }
                if (failed) {
                    throw new IOException("the backup was aborted");
                }
                if (len > entry.size() - written) {
                    throw new IOException("entry '" + entry.name() + "' of part '" + name + "': writing "
                            + (written + len) + " bytes, more than its declared size " + entry.size());
                }
                sink.tar().write(b, off, len);
                digest.update(b, off, len);
                written += len;
                context.addProgress(len);
            }

            @Override
            public void close() throws IOException {
                if (done) {
                    return;
                }
                done = true;
                try {
                    if (failed) {
                        throw new IOException("the backup was aborted");
                    }
                    if (written != entry.size()) {
                        throw new IOException("entry '" + entry.name() + "' of part '" + name + "': wrote " + written
                                + " of " + entry.size() + " bytes");
                    }
                    sink.tar().closeArchiveEntry();
                    record(tarName, entry, written, digest.digest());
                } finally {
                    unlock();
                }
            }
        }
    }
}
