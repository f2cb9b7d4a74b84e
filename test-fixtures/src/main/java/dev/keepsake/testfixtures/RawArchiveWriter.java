package dev.keepsake.testfixtures;

import dev.keepsake.core.internal.archive.ArchiveLayout;
import dev.keepsake.core.internal.archive.ArchiveWriter;
import dev.keepsake.core.internal.archive.Manifest;
import dev.keepsake.core.internal.archive.ManifestJson;
import dev.keepsake.core.internal.archive.ManifestSignature;
import dev.keepsake.core.internal.archive.TarSink;
import dev.keepsake.core.ArchiveFormat;
import dev.keepsake.core.ArchiveKey;
import dev.keepsake.core.internal.compress.CompressedOutput;
import dev.keepsake.core.internal.compress.Compression;
import dev.keepsake.core.spi.ArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * <b>Test support, internal:</b> writes an archive entry by entry with no checks at all, then (optionally) a manifest
 * and signature computed over what was written, so tests — also in other modules — can craft hostile archives that
 * still pass manifest verification and check that a part refuses them itself, or archives that verification must
 * refuse. Not for production use; may change at any time. Not thread-safe.
 *
 * <p>A signed archive whose part {@code volume:uploads} holds a symlink escaping the volume and a file below it:
 *
 * <pre>{@code
 * try (OutputStream out = Files.newOutputStream(file)) {
 *     RawArchiveWriter w = RawArchiveWriter.create(out, ArchiveFormat.GZIP);
 *     w.header("demo", "1.0.0", "1.0.0_2024-01-01T00:00:00.000Z", Instant.parse("2024-01-01T00:00:00Z"),
 *             List.of(RawArchiveWriter.part("volume:uploads", "volume", null)));
 *     w.symlink("volume:uploads", "evil", "/etc");
 *     w.file("volume:uploads", "evil/passwd", "x".getBytes());
 *     // any tar entry at all, listed in the manifest as a FILE of the part:
 *     TarArchiveEntry hard = new TarArchiveEntry("parts/volume:uploads/h", TarConstants.LF_LINK);
 *     hard.setLinkName("/etc/shadow");
 *     w.rawListed(hard, new byte[0], "volume:uploads", "h", ArchiveEntry.Type.FILE);
 *     w.finish(key); // manifest over everything listed, signed with key (null: unsigned)
 * }
 * }</pre>
 *
 * The archive is of the one format (docs/archive-format.md): listed chunks get no hash in the manifest, which
 * records instead the size and SHA-256 of the compressed data, ended and marked by {@link #endData()} ({@link #finish}
 * and {@link #manifest()} end it if nothing did). Entries written with {@link #raw} are not listed in the manifest;
 * {@link #finishRaw()} ends the archive without adding a manifest (to write your own, call {@link #endData()}, then
 * write {@code keepsake/manifest.json} with {@link #raw}; without the mark the archive is refused as incomplete).
 * {@link #compressTar} compresses a whole tar stream the same way. The caller's stream is flushed, never closed.
 */
public final class RawArchiveWriter {

    private final TarSink sink;
    private final Map<String, Manifest.Part> parts = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> attributes = new HashMap<>();
    private final List<Manifest.Entry> entries = new ArrayList<>();
    private Manifest header;
    private Instant mtime = Instant.parse("2024-01-01T00:00:00Z");

    private RawArchiveWriter(TarSink sink) {
        this.sink = sink;
    }

    /** Starts an archive on {@code out} (compression level 1). */
    public static RawArchiveWriter create(OutputStream out, ArchiveFormat format) throws IOException {
        return new RawArchiveWriter(new TarSink(out, format, 1));
    }

    /**
     * Ends the data as a backup does before its manifest: cuts the compressed stream and marks where the manifest
     * starts. Returns the size and SHA-256 of the compressed bytes so far, which a manifest must list (a rewritten
     * archive whose data is unchanged gets the same bytes, so the original manifest still matches). Called again (or
     * by {@link #manifest()}, {@link #finish}) it returns the same; entries written after it are not data.
     */
    public Manifest.DataDigest endData() throws IOException {
        return sink.endData();
    }

    /**
     * Compresses {@code tar} (a whole tar stream, e.g. a good archive's, edited) as a backup does, the data ending
     * at offset {@code manifestAt} (a record boundary: where the manifest's tar header starts).
     */
    public static void compressTar(byte[] tar, int manifestAt, ArchiveFormat format, OutputStream out)
            throws IOException {
        try (CompressedOutput c = Compression.compress(format, new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush();
            }
        }, 1)) {
            c.write(tar, 0, manifestAt);
            c.endData();
            c.write(tar, manifestAt, tar.length - manifestAt);
        }
    }

    /** A part for {@link #header}: name, type, schema version (nullable). */
    public static Manifest.Part part(String name, String type, String schemaVersion) {
        return new Manifest.Part(name, type, schemaVersion, Map.of(), 0, 0);
    }

    /** Writes {@code keepsake/header.json} and remembers product, id, time and parts for the manifest. */
    public RawArchiveWriter header(String productName, String productVersion, String backupId, Instant createdAt,
                                   List<Manifest.Part> declaredParts) throws IOException {
        header = new Manifest(ArchiveLayout.FORMAT_VERSION, productName, productVersion, backupId, createdAt,
                declaredParts, List.of(), 0, 0);
        declaredParts.forEach(p -> parts.put(p.name(), p));
        mtime = createdAt;
        return raw(ArchiveWriter.metaEntry(ArchiveLayout.HEADER, createdAt), ManifestJson.writeHeader(header));
    }

    /** Records an attribute of a part for the manifest. */
    public RawArchiveWriter attribute(String part, String key, String value) {
        attributes.computeIfAbsent(part, k -> new LinkedHashMap<>()).put(key, value);
        return this;
    }

    /** A regular file {@code parts/<part>/<name>}, listed. */
    public RawArchiveWriter file(String part, String name, byte[] content) throws IOException {
        return file(part, name, 0644, content);
    }

    /** A regular file with a mode, listed. */
    public RawArchiveWriter file(String part, String name, int mode, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(ArchiveLayout.PARTS_PREFIX + part + "/" + name, TarConstants.LF_NORMAL,
                true);
        e.setMode(0100000 | (mode & 07777));
        return listed(e, content, part, name, ArchiveEntry.Type.FILE, mode, null, -1);
    }

    /** A directory, listed. */
    public RawArchiveWriter directory(String part, String name) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(ArchiveLayout.PARTS_PREFIX + part + "/" + name + "/",
                TarConstants.LF_DIR, true);
        e.setMode(040755);
        return listed(e, new byte[0], part, name, ArchiveEntry.Type.DIRECTORY, 0755, null, -1);
    }

    /** A symbolic link (any target), listed. */
    public RawArchiveWriter symlink(String part, String name, String target) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(ArchiveLayout.PARTS_PREFIX + part + "/" + name,
                TarConstants.LF_SYMLINK, true);
        e.setMode(0120777);
        e.setLinkName(target);
        return listed(e, new byte[0], part, name, ArchiveEntry.Type.SYMLINK, 0777, target, -1);
    }

    /** Chunk {@code index} of stream {@code stream}, listed. */
    public RawArchiveWriter chunk(String part, String stream, int index, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(ArchiveLayout.chunkTarName(part, stream, index),
                TarConstants.LF_NORMAL, true);
        e.setMode(0100644);
        return listed(e, content, part, stream, ArchiveEntry.Type.CHUNK, 0644, null, index);
    }

    /**
     * Any tar entry, listed in the manifest as entry {@code name} of {@code part} with type {@code type} and the size
     * and SHA-256 of {@code content} (for a tar symlink/hardlink, its link name is listed as the link target when
     * {@code type} is SYMLINK).
     */
    public RawArchiveWriter rawListed(TarArchiveEntry entry, byte[] content, String part, String name,
                                      ArchiveEntry.Type type) throws IOException {
        return listed(entry, content, part, name, type, entry.getMode() & 07777,
                type == ArchiveEntry.Type.SYMLINK ? entry.getLinkName() : null,
                type == ArchiveEntry.Type.CHUNK ? 0 : -1);
    }

    private RawArchiveWriter listed(TarArchiveEntry e, byte[] content, String part, String name,
                                    ArchiveEntry.Type type, int mode, String link, int chunk) throws IOException {
        raw(e, content);
        String path = e.getName().endsWith("/") ? e.getName().substring(0, e.getName().length() - 1) : e.getName();
        String sha = type == ArchiveEntry.Type.CHUNK ? null : ArchiveLayout.hex(TarSink.sha256().digest(content));
        entries.add(new Manifest.Entry(path, part, name, type, content.length, sha, mode, mtime, link, chunk));
        return this;
    }

    /** Any tar entry with any content, not listed in the manifest. The entry's size is set to the content length. */
    public RawArchiveWriter raw(TarArchiveEntry entry, byte[] content) throws IOException {
        if (entry.getLastModifiedTime() == null || entry.getLastModifiedTime().toMillis() == 0) {
            entry.setModTime(ArchiveWriter.tarTime(mtime));
        }
        entry.setSize(entry.isSymbolicLink() || entry.isLink() || entry.isDirectory() ? 0 : content.length);
        sink.tar().putArchiveEntry(entry);
        if (entry.getSize() > 0) {
            sink.tar().write(content, 0, content.length);
        }
        sink.tar().closeArchiveEntry();
        return this;
    }

    /**
     * The manifest that {@link #finish(ArchiveKey)} would write, from the header, the listed entries and the data's
     * size and SHA-256: ends the data ({@link #endData()}) if it has not ended yet.
     */
    public Manifest manifest() throws IOException {
        if (header == null) {
            throw new IllegalStateException("call header(...) first");
        }
        Map<String, long[]> counts = new HashMap<>();
        long total = 0;
        for (Manifest.Entry e : entries) {
            long[] c = counts.computeIfAbsent(e.part(), k -> new long[2]);
            c[0]++;
            c[1] += e.size();
            total += e.size();
        }
        List<Manifest.Part> ps = new ArrayList<>();
        for (Manifest.Part p : parts.values()) {
            long[] c = counts.getOrDefault(p.name(), new long[2]);
            ps.add(new Manifest.Part(p.name(), p.type(), p.schemaVersion(),
                    attributes.getOrDefault(p.name(), Map.of()), c[0], c[1]));
        }
        return new Manifest(header.formatVersion(), header.productName(), header.productVersion(), header.backupId(),
                header.createdAt(), ps, entries, entries.size(), total, endData());
    }

    /** Writes the computed manifest, its signature (when {@code key} is not null) and the end of the archive. */
    public void finish(ArchiveKey key) throws IOException {
        finish(ManifestJson.writeManifest(manifest()), key);
    }

    /**
     * Ends the data if it has not ended yet, writes {@code manifestJson} as the manifest, signed with {@code key} when
     * not null, and ends the archive.
     */
    public void finish(byte[] manifestJson, ArchiveKey key) throws IOException {
        endData();
        raw(ArchiveWriter.metaEntry(ArchiveLayout.MANIFEST, mtime), manifestJson);
        if (key != null) {
            raw(ArchiveWriter.metaEntry(ArchiveLayout.SIGNATURE, mtime), ManifestSignature.sign(key, manifestJson));
        }
        finishRaw();
    }

    /** Ends the archive (tar end records, end of compression) without adding anything. */
    public void finishRaw() throws IOException {
        sink.finish();
    }

    /** The bytes of {@code manifest.json} for a manifest (e.g. one edited from {@link #manifest()}). */
    public static byte[] manifestJson(Manifest manifest) {
        return ManifestJson.writeManifest(manifest);
    }

    /** The bytes of {@code manifest.sig} for {@code manifestJson} signed with {@code key}. */
    public static byte[] signature(ArchiveKey key, byte[] manifestJson) {
        return ManifestSignature.sign(key, manifestJson);
    }
}
