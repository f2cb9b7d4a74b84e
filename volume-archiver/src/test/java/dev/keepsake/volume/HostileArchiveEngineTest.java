package dev.keepsake.volume;

import dev.keepsake.core.ArchiveFormat;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.core.OperationStatus;
import dev.keepsake.testfixtures.RawArchiveWriter;
import dev.keepsake.core.spi.ArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile and broken archives, built in the test with commons-compress through the core's {@link RawArchiveWriter}
 * (which signs a manifest computed over whatever was written, so the hostile entries pass signature checks), fed to
 * a real engine whose only part is the volume. Each must fail with nothing changed in the volume, next to it, or
 * outside it. {@link Layer} records which layer refuses: the core's archive verification, or the volume's own
 * validation (which {@link HostileEntryTest} also tests directly).
 */
class HostileArchiveEngineTest {

    private static final Logger LOG = LoggerFactory.getLogger(HostileArchiveEngineTest.class);
    static final String PART = "volume:vol";
    static final Instant T = Instant.parse("2024-01-01T00:00:00Z");

    enum Layer { CORE, VOLUME }

    @FunctionalInterface
    interface Body {
        void write(RawArchiveWriter w) throws IOException;
    }

    @FunctionalInterface
    interface Damage {
        void apply(Path goodArchive, Path out) throws IOException;
    }

    record Case(String label, Body body, Damage damage, String fragment, Layer layer, long maxRestoreBytes) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Case crafted(String label, Layer layer, String fragment, Body body) {
        return new Case(label, body, null, fragment, layer, VolumePart.DEFAULT_MAX_RESTORE_BYTES);
    }

    static Case damaged(String label, String fragment, Damage damage) {
        return new Case(label, null, damage, fragment, Layer.CORE, VolumePart.DEFAULT_MAX_RESTORE_BYTES);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static TarArchiveEntry tar(String name, byte type) {
        TarArchiveEntry e = new TarArchiveEntry("parts/" + PART + "/" + name, type, true);
        e.setMode(0644);
        return e;
    }

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(crafted("../x", Layer.CORE, "../x", w -> w.file(PART, "../x", utf8("pwned"))));
        c.add(crafted("/etc/x", Layer.CORE, "/etc/x", w -> w.file(PART, "/etc/x", utf8("pwned"))));
        c.add(crafted("a/../../b", Layer.CORE, "a/../../b", w -> w.file(PART, "a/../../b", utf8("pwned"))));
        c.add(crafted("..", Layer.CORE, "..", w -> w.directory(PART, "..")));
        c.add(crafted("./", Layer.CORE, ".", w -> w.directory(PART, ".")));
        c.add(crafted("empty name", Layer.CORE, "parts/volume:vol", w -> w.file(PART, "", utf8("x"))));
        c.add(crafted("backslashes", Layer.CORE, "..\\..\\x", w -> w.file(PART, "..\\..\\x", utf8("pwned"))));
        c.add(crafted("sibling-prefix escape (vol vs volx)", Layer.VOLUME, "'l'",
                w -> w.symlink(PART, "l", "../volx/secret")));
        c.add(crafted("absolute link", Layer.VOLUME, "'l'", w -> w.symlink(PART, "l", "/etc")));
        c.add(crafted("link outside, then a file written through it", Layer.VOLUME, "l/pwned", w -> {
            w.symlink(PART, "l", "../../outside");
            w.file(PART, "l/pwned", utf8("pwned"));
        }));
        c.add(crafted("escape hidden behind another link", Layer.VOLUME, "'w'", w -> {
            w.directory(PART, "x");
            w.directory(PART, "x/y");
            w.symlink(PART, "x/y/z", "../..");
            w.symlink(PART, "w", "x/y/z/q/../../../..");
        }));
        c.add(crafted("hard link", Layer.CORE, "h", w -> {
            TarArchiveEntry e = tar("h", TarConstants.LF_LINK);
            e.setLinkName("/etc/shadow");
            w.rawListed(e, new byte[0], PART, "h", ArchiveEntry.Type.FILE);
        }));
        c.add(crafted("character device", Layer.CORE, "null", w -> {
            TarArchiveEntry e = tar("null", TarConstants.LF_CHR);
            e.setDevMajor(1);
            e.setDevMinor(3);
            w.rawListed(e, new byte[0], PART, "null", ArchiveEntry.Type.FILE);
        }));
        c.add(crafted("block device", Layer.CORE, "sda", w -> {
            TarArchiveEntry e = tar("sda", TarConstants.LF_BLK);
            e.setDevMajor(8);
            w.rawListed(e, new byte[0], PART, "sda", ArchiveEntry.Type.FILE);
        }));
        c.add(crafted("FIFO", Layer.CORE, "pipe", w -> w.rawListed(tar("pipe", TarConstants.LF_FIFO), new byte[0],
                PART, "pipe", ArchiveEntry.Type.FILE)));
        c.add(crafted("duplicate entries", Layer.CORE, "twice", w -> {
            w.file(PART, "twice", utf8("one"));
            w.file(PART, "twice", utf8("two"));
        }));
        c.add(crafted("name decoding to U+FFFD (invalid UTF-8 at the source)", Layer.VOLUME, "bad",
                w -> w.file(PART, "bad\uFFFDname", utf8("x"))));
        c.add(crafted("names colliding after NFC normalisation", Layer.VOLUME, "cafe\u0301", w -> {
            w.file(PART, "caf\u00e9", utf8("precomposed"));
            w.file(PART, "cafe\u0301", utf8("decomposed"));
        }));
        c.add(crafted("300-byte path component", Layer.VOLUME, "xxxxxxxxxx",
                w -> w.file(PART, "x".repeat(300), utf8("x"))));
        c.add(crafted("5,000-character path", Layer.CORE, "ppppp",
                w -> w.file(PART, ("p".repeat(49) + "/").repeat(100) + "f", utf8("x"))));
        c.add(crafted("1,000 nested directories", Layer.VOLUME, "d/d/d/d", w -> {
            StringBuilder n = new StringBuilder("d");
            for (int i = 0; i < 1000; i++) {
                w.directory(PART, n.toString());
                n.append("/d");
            }
        }));
        c.add(crafted("entry below a file", Layer.VOLUME, "a/b", w -> {
            w.file(PART, "a", utf8("file"));
            w.file(PART, "a/b", utf8("below a file"));
        }));
        c.add(new Case("gzip bomb beyond the volume's absolute limit", w -> w.file(PART, "bomb", new byte[64 << 20]),
                null, "maxRestoreBytes", Layer.VOLUME, 1 << 20));
        c.add(damaged("invalid UTF-8 bytes in a tar name", null, HostileArchiveEngineTest::invalidUtf8Name));
        c.add(damaged("truncated inside an entry", null, (good, out) -> {
            byte[] tar = gunzip(good);
            gzip(Arrays.copyOf(tar, boundaries(tar).get(2) + 700), out);
        }));
        c.add(damaged("truncated exactly at an entry boundary", null, (good, out) -> {
            byte[] tar = gunzip(good);
            List<Integer> b = boundaries(tar);
            gzip(Arrays.copyOf(tar, b.get(b.size() / 2)), out);
        }));
        c.add(damaged("truncated compressed stream", null, (good, out) -> {
            byte[] gz = Files.readAllBytes(good);
            Files.write(out, Arrays.copyOf(gz, gz.length * 2 / 3));
        }));
        c.add(damaged("trailing garbage", null, (good, out) -> {
            Files.copy(good, out);
            Files.write(out, utf8("garbage after the end"), StandardOpenOption.APPEND);
        }));
        return c.stream();
    }

    @TempDir
    Path tmp;
    Path srv;
    Path vol;
    Path outside;
    Path good;

    @BeforeEach
    void volumeAndAGoodArchive() throws Exception {
        srv = tmp.resolve("srv");
        vol = srv.resolve("vol");
        outside = tmp.resolve("outside");
        Path source = tmp.resolve("source/vol");
        Trees.write(source.resolve("a.txt"), "archived a");
        Trees.write(source.resolve("dir/b.txt"), "archived b");
        Trees.write(source.resolve("dir/c.bin"), "c".repeat(5000));
        Trees.write(source.resolve("z.txt"), "archived z");
        try (MaintenanceEngine engine = Engines.builder(tmp.resolve("work-source"))
                .part(VolumePart.builder().name("vol").path(source).build()).build()) {
            good = Engines.backup(engine, tmp.resolve("good.tgz"));
        }
        Trees.write(vol.resolve("keep.txt"), "the service's data");
        Trees.write(vol.resolve("sub/inner.txt"), "more data");
        Trees.write(srv.resolve("volx/secret"), "sibling volume's secret");
        Trees.write(outside.resolve("victim.txt"), "outside");
    }

    private Map<String, Object> state() throws IOException {
        return Map.of("vol", Trees.snapshot(vol), "volx", Trees.snapshot(srv.resolve("volx")),
                "outside", Trees.snapshot(outside), "srv", Trees.names(srv));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hostileArchiveIsRefusedAndNothingChanges(Case c) throws Exception {
        Path archive = tmp.resolve("hostile.tgz");
        if (c.body() != null) {
            try (OutputStream out = Files.newOutputStream(archive)) {
                RawArchiveWriter w = RawArchiveWriter.create(out, ArchiveFormat.GZIP);
                w.header("demo", Engines.VERSION, Engines.VERSION + "_2024-01-01T00:00:00.000Z", T,
                        List.of(RawArchiveWriter.part(PART, "volume", null)));
                c.body().write(w);
                w.finish(Engines.KEY);
            }
        } else {
            c.damage().apply(good, archive);
        }
        Map<String, Object> before = state();
        OperationStatus s;
        try (MaintenanceEngine engine = Engines.builder(tmp.resolve("work"))
                .part(VolumePart.builder().name("vol").path(vol).maxRestoreBytes(c.maxRestoreBytes()).build())
                .build()) {
            s = Engines.restore(engine, archive);
        }
        Layer layer = s.statusMessage().contains("Volume 'vol':") ? Layer.VOLUME : Layer.CORE;
        LOG.info("{}: refused by {}: {}", c.label(), layer, s.statusMessage());
        assertThat(s.succeeded()).as(s.statusMessage()).isFalse();
        assertThat(layer).as(s.statusMessage()).isEqualTo(c.layer());
        if (c.fragment() != null) {
            assertThat(s.statusMessage()).contains(c.fragment());
        }
        assertThat(s.statusMessage()).containsIgnoringCase("nothing was changed");
        assertThat(state()).isEqualTo(before);
    }

    @AfterEach
    void noStagingLeftAnywhere() throws IOException {
        assertThat(Trees.names(srv)).containsExactly("vol", "volx");
    }

    // --- byte-level damage of a good archive -------------------------------------------------------------------

    static byte[] gunzip(Path gz) throws IOException {
        try (InputStream in = new GzipCompressorInputStream(Files.newInputStream(gz), true)) {
            return in.readAllBytes();
        }
    }

    static void gzip(byte[] tar, Path out) throws IOException {
        try (OutputStream os = new GzipCompressorOutputStream(Files.newOutputStream(out))) {
            os.write(tar);
        }
    }

    /** Offsets where tar headers start (PAX extended headers count as entries of their own). */
    static List<Integer> boundaries(byte[] tar) {
        List<Integer> out = new ArrayList<>();
        int off = 0;
        while (off + 512 <= tar.length && tar[off] != 0) {
            out.add(off);
            String octal = new String(tar, off + 124, 12, StandardCharsets.US_ASCII).trim().replace("\0", "");
            long size = octal.isEmpty() ? 0 : Long.parseLong(octal, 8);
            off += 512 + (int) ((size + 511) / 512 * 512);
        }
        return out;
    }

    /**
     * Replaces the ustar name of the entry {@code parts/volume:vol/a.txt} with invalid UTF-8 bytes (same length) and
     * fixes the header checksum: the manifest and signature stay valid, the tar name no longer decodes.
     */
    static void invalidUtf8Name(Path good, Path out) throws IOException {
        byte[] tar = gunzip(good);
        byte[] name = utf8("parts/" + PART + "/a.txt");
        for (int off : boundaries(tar)) {
            if (Arrays.equals(Arrays.copyOfRange(tar, off, off + name.length), name) && tar[off + name.length] == 0) {
                tar[off + name.length - 5] = (byte) 0xff; // "a.txt" -> "\xff.txt"
                Arrays.fill(tar, off + 148, off + 156, (byte) ' ');
                long sum = 0;
                for (int i = 0; i < 512; i++) {
                    sum += tar[off + i] & 0xff;
                }
                byte[] chk = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(chk, 0, tar, off + 148, 8);
                gzip(tar, out);
                return;
            }
        }
        throw new AssertionError("entry a.txt not found in the good archive");
    }

}
