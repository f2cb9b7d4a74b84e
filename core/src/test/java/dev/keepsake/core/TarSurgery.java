package dev.keepsake.core;

import com.github.luben.zstd.ZstdInputStream;
import dev.keepsake.testfixtures.RawArchiveWriter;
import dev.keepsake.core.internal.compress.Compression;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a good archive into its tar entries, to damage them one way and write them back, compressed as a backup does
 * (unchanged data gets the same compressed bytes, so the signed manifest still matches where nothing changed).
 */
final class TarSurgery {

    /** One tar entry and its content. */
    record Item(TarArchiveEntry entry, byte[] content) {
        String name() {
            return entry.getName();
        }

        Item withContent(byte[] c) {
            TarArchiveEntry e = copy(entry);
            e.setSize(c.length);
            return new Item(e, c);
        }

        Item renamed(String name) {
            TarArchiveEntry e = copy(entry);
            e.setName(name);
            return new Item(e, content);
        }

        private static TarArchiveEntry copy(TarArchiveEntry src) {
            TarArchiveEntry e = new TarArchiveEntry(src.getName(), src.getLinkFlag(), true);
            e.setMode(src.getMode());
            e.setModTime(src.getLastModifiedTime());
            e.setLinkName(src.getLinkName());
            return e;
        }
    }

    /** The decompressed tar stream of an archive, gzip or zstd. */
    static InputStream decompressed(Path archive) throws IOException {
        InputStream raw = Files.newInputStream(archive);
        byte[] magic = new byte[4];
        int n = raw.readNBytes(magic, 0, 4);
        raw.close();
        raw = Files.newInputStream(archive);
        return Compression.detect(magic, n) == ArchiveFormat.ZSTD ? new ZstdInputStream(raw)
                : new GzipCompressorInputStream(raw, true);
    }

    static List<Item> read(Path archive) throws IOException {
        List<Item> items = new ArrayList<>();
        try (InputStream in = new TarArchiveInputStream(decompressed(archive), "UTF-8")) {
            TarArchiveInputStream tar = (TarArchiveInputStream) in;
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                items.add(new Item(e, tar.readAllBytes()));
            }
        }
        return items;
    }

    static void write(List<Item> items, Path out, ArchiveFormat format) throws IOException {
        try (OutputStream o = Files.newOutputStream(out)) {
            RawArchiveWriter w = RawArchiveWriter.create(o, format);
            for (Item i : items) {
                if (i.name().equals("keepsake/manifest.json")) {
                    w.endData(); // as the backup did: unchanged data gets the same compressed bytes
                }
                TarArchiveEntry e = Item.copy(i.entry());
                w.raw(e, i.content());
            }
            w.finishRaw();
        }
    }

    static int indexOf(List<Item> items, String name) {
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no entry " + name);
    }
}
