package dev.keepsake.core;

import dev.keepsake.testfixtures.RawArchiveWriter;
import com.github.luben.zstd.ZstdOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * pg_verifybackup-style: one good archive per compression (gzip, zstd), damaged one way per case; each must be refused
 * by {@code verify} and by a restore with a specific message, and no part may change.
 */
class HostileArchiveTest {

    @TempDir
    static Path shared;
    static Fixture fixture;
    static final Map<ArchiveFormat, Good> GOOD = new EnumMap<>(ArchiveFormat.class);

    /** A good archive of one compression: its bytes and its tar entries. */
    record Good(ArchiveFormat format, byte[] bytes, List<TarSurgery.Item> items) {
        TarSurgery.Item item(String name) {
            return items.get(TarSurgery.indexOf(items, name));
        }

        /** The decompressed tar stream. */
        byte[] tar() throws IOException {
            Path p = shared.resolve("good-" + format);
            try (var in = TarSurgery.decompressed(p)) {
                return in.readAllBytes();
            }
        }
    }

    @BeforeAll
    static void makeGoodArchives() throws Exception {
        fixture = new Fixture(shared.resolve("fixture"));
        for (ArchiveFormat format : ArchiveFormat.values()) {
            try (MaintenanceEngine engine = fixture.builder().format(format).compressionLevel(1)
                    .workDirectory(shared.resolve("backup-work-" + format)).build()) {
                Path copy = fixture.backup(engine, "good." + format);
                Path good = shared.resolve("good-" + format);
                Files.copy(copy, good);
                GOOD.put(format, new Good(format, Files.readAllBytes(good), TarSurgery.read(good)));
            }
        }
    }

    interface Damage {
        void write(Good good, Path out) throws Exception;
    }

    record Case(String name, Damage damage, String expected, UnaryOperator<MaintenanceEngine.Builder> config) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case bytes(String name, UnaryOperator<byte[]> edit, String expected) {
        return new Case(name, (g, out) -> Files.write(out, edit.apply(g.bytes().clone())), expected, b -> b);
    }

    static Case tar(String name, BiConsumer<Good, List<TarSurgery.Item>> edit, String expected) {
        return tar(name, edit, expected, b -> b);
    }

    static Case tar(String name, BiConsumer<Good, List<TarSurgery.Item>> edit, String expected,
                    UnaryOperator<MaintenanceEngine.Builder> config) {
        return new Case(name, (g, out) -> {
            List<TarSurgery.Item> copy = new ArrayList<>(g.items());
            edit.accept(g, copy);
            TarSurgery.write(copy, out, g.format());
        }, expected, config);
    }

    /** Edits the manifest text and signs the result with the right key: only the parser can object. */
    static Case resigned(String name, UnaryOperator<String> edit, String expected) {
        return tar(name, (g, l) -> {
            int m = TarSurgery.indexOf(l, "keepsake/manifest.json");
            byte[] json = edit.apply(new String(l.get(m).content(), StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8);
            l.set(m, l.get(m).withContent(json));
            l.set(m + 1, l.get(m + 1).withContent(RawArchiveWriter.signature(Fixture.KEY, json)));
        }, expected);
    }

    /** Edits the decompressed tar bytes and compresses them again as a backup does (the data ending at the manifest). */
    static Case rawTar(String name, UnaryOperator<byte[]> edit, String expected) {
        return new Case(name, (g, out) -> {
            byte[] tar = edit.apply(g.tar());
            try (OutputStream o = Files.newOutputStream(out)) {
                RawArchiveWriter.compressTar(tar, headerOffset(tar, "keepsake/manifest.json"), g.format(), o);
            }
        }, expected, b -> b);
    }

    /** Edits the decompressed tar bytes and compresses them again with the format's ordinary tool. */
    static Case recompressed(String name, UnaryOperator<byte[]> edit, String expected) {
        return new Case(name, (g, out) -> Files.write(out, plain(g.format(), edit.apply(g.tar()))), expected, b -> b);
    }

    /** The tar stream with the formatVersion of its header (and manifest) replaced. */
    static byte[] formatVersion(byte[] tar, int version) {
        String text = new String(tar, StandardCharsets.ISO_8859_1);
        return text.replace("{\"formatVersion\":3,", "{\"formatVersion\":" + version + ",")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Fills a ustar header with a valid checksum. */
    static void ustarHeader(byte[] b, String name, byte type, long size) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, b, 0, n.length);
        put(b, 100, String.format("%07o", 0644));
        put(b, 108, "0000000");
        put(b, 116, "0000000");
        put(b, 124, String.format("%011o", size));
        put(b, 136, String.format("%011o", 0));
        b[156] = type;
        put(b, 257, "ustar");
        put(b, 263, "00");
        java.util.Arrays.fill(b, 148, 156, (byte) ' ');
        int sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += b[i] & 0xff;
        }
        put(b, 148, String.format("%06o", sum));
        b[154] = 0;
    }

    private static void put(byte[] b, int off, String s) {
        byte[] v = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(v, 0, b, off, v.length);
    }

    /** Offset of the tar header of {@code name} in a decompressed tar. */
    static int headerOffset(byte[] tar, String name) {
        byte[] n = (name + "\0").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < tar.length; i += 512) {
            if (Arrays.equals(tar, i, i + n.length, n, 0, n.length)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name);
    }

    static byte[] flipBit(byte[] b, int index) {
        b[index] ^= 0x10;
        return b;
    }

    static byte[] gzip(byte[] content) {
        return plain(ArchiveFormat.GZIP, content);
    }

    /** {@code content} compressed by the format's ordinary library (one gzip member, one zstd frame). */
    static byte[] plain(ArchiveFormat format, byte[] content) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (OutputStream g = format == ArchiveFormat.GZIP ? new GZIPOutputStream(out)
                    : new ZstdOutputStream(out, 3)) {
                g.write(content);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static Stream<Case> cases() {
        String incomplete = "is incomplete";
        return Stream.of(
                bytes("truncated after 10 bytes", b -> Arrays.copyOf(b, 10), incomplete),
                bytes("truncated at a third", b -> Arrays.copyOf(b, b.length / 3), incomplete),
                bytes("truncated at half", b -> Arrays.copyOf(b, b.length / 2), incomplete),
                bytes("truncated 100 bytes before the end", b -> Arrays.copyOf(b, b.length - 100), incomplete),
                bytes("truncated by the last byte", b -> Arrays.copyOf(b, b.length - 1), incomplete),
                tar("cut exactly at an entry boundary", (g, l) -> l.subList(10, l.size()).clear(),
                        "ends without its manifest"),
                tar("cut exactly before the manifest", (g, l) -> l.subList(l.size() - 2, l.size()).clear(),
                        "without its manifest"),
                bytes("garbage after the compressed stream", b -> concat(b, "garbage!".getBytes(
                        StandardCharsets.US_ASCII)), "data after the end of its compressed stream"),
                bytes("zero bytes after the compressed stream", b -> concat(b, new byte[64]),
                        "data after the end of its compressed stream"),
                bytes("a gzip member of another tool with data after the end", b -> concat(b, gzip("hidden"
                        .getBytes(StandardCharsets.US_ASCII))), "data after the end of its compressed stream"),
                bytes("a zstd frame of another tool with data after the end", b -> concat(b,
                        plain(ArchiveFormat.ZSTD, "hidden".getBytes(StandardCharsets.US_ASCII))),
                        "data after the end of its compressed stream"),
                recompressed("recompressed by another tool", t -> t, "rewritten by another tool"),
                recompressed("an archive of format 1 (pre-release, no mark)", t -> formatVersion(t, 1),
                        "was made by a pre-release version of Keepsake (format 1); this format is no longer read; "
                                + "make a new backup"),
                rawTar("an archive of format 2 (pre-release)", t -> formatVersion(t, 2),
                        "was made by a pre-release version of Keepsake (format 2); this format is no longer read; "
                                + "make a new backup"),
                recompressed("an archive of a newer format", t -> formatVersion(t, 4),
                        "was made by a newer Keepsake (format 4; this version reads format 3); restore it with a "
                                + "version at least as new"),
                bytes("one flipped bit in the compressed data", b -> flipBit(b, b.length / 2), "is damaged"),
                tar("one flipped bit in an entry's data", (g, l) -> {
                    int i = TarSurgery.indexOf(l, "parts/files/sub/b.bin");
                    l.set(i, l.get(i).withContent(flipBit(l.get(i).content().clone(), 5000)));
                }, "'parts/files/sub/b.bin' does not match its SHA-256"),
                tar("one flipped bit in the manifest", (g, l) -> {
                    int i = TarSurgery.indexOf(l, "keepsake/manifest.json");
                    l.set(i, l.get(i).withContent(flipBit(l.get(i).content().clone(), 300)));
                }, "manifest does not match its signature"),
                tar("manifest edited after signing", (g, l) -> {
                    int i = TarSurgery.indexOf(l, "keepsake/manifest.json");
                    String m = new String(l.get(i).content(), StandardCharsets.UTF_8)
                            .replace("\"size\":15,", "\"size\":16,");
                    l.set(i, l.get(i).withContent(m.getBytes(StandardCharsets.UTF_8)));
                }, "manifest does not match its signature"),
                tar("unsigned", (g, l) -> l.remove(l.size() - 1),
                        "not signed and unsigned archives are not allowed; configure the signing key"),
                tar("signed with an unknown key", (g, l) -> {
                    int i = TarSurgery.indexOf(l, "keepsake/manifest.sig");
                    l.set(i, l.get(i).withContent(RawArchiveWriter.signature(ArchiveKey.of("intruder",
                            Fixture.bytes(32, 99)), l.get(i - 1).content())));
                }, "signed with key id 'intruder', which is not configured here (configured: key-2024)"),
                tar("duplicate entry", (g, l) -> l.add(TarSurgery.indexOf(l, "parts/files/a.txt"), g.item("parts/files/a.txt")),
                        "contains the entry 'parts/files/a.txt' twice"),
                tar("missing entry", (g, l) -> l.remove(TarSurgery.indexOf(l, "parts/files/a.txt")),
                        "'parts/files/a.txt' is listed in the manifest but missing from the archive"),
                tar("extra entry", (g, l) -> l.add(TarSurgery.indexOf(l, "parts/files/a.txt"),
                                g.item("parts/files/a.txt").renamed("parts/files/extra.txt")),
                        "'parts/files/extra.txt' is not listed in the manifest"),
                tar("reordered entries", (g, l) -> {
                    int i = TarSurgery.indexOf(l, "parts/files/a.txt");
                    l.add(i + 1, l.remove(i));
                }, "is not in the order the manifest lists"),
                tar("header not first", (g, l) -> l.add(1, l.remove(0)), "its first entry is 'parts/db/"),
                tar("entry after the signature", (g, l) -> l.add(g.item("parts/files/a.txt").renamed("parts/files/late")),
                        "after its signature, where nothing may follow"),
                tar("path traversal in an entry name", (g, l) -> {
                    int i = TarSurgery.indexOf(l, "parts/files/a.txt");
                    l.set(i, l.get(i).renamed("parts/files/../../../etc/evil"));
                }, "has a '..' segment"),
                tar("absolute entry name", (g, l) -> {
                    int i = TarSurgery.indexOf(l, "parts/files/a.txt");
                    l.set(i, l.get(i).renamed("/etc/evil"));
                }, "is not below parts/"),
                tar("entry of a part the header does not list", (g, l) -> {
                    int i = TarSurgery.indexOf(l, "parts/files/a.txt");
                    l.set(i, l.get(i).renamed("parts/other/a.txt"));
                }, "which the archive's header does not list"),
                tar("hard link entry", (g, l) -> {
                    TarArchiveEntry link = new TarArchiveEntry("parts/files/hard", TarConstants.LF_LINK, true);
                    link.setLinkName("/etc/shadow");
                    l.add(3, new TarSurgery.Item(link, new byte[0]));
                }, "of tar type 'hard link'"),
                tar("fifo entry", (g, l) -> l.add(3, new TarSurgery.Item(new TarArchiveEntry("parts/files/fifo",
                        TarConstants.LF_FIFO, true), new byte[0])), "of tar type 'FIFO'"),
                tar("decompression bomb", (g, l) -> l.add(3, g.item("parts/files/a.txt").renamed("parts/files/zeros")
                                .withContent(new byte[3 << 20])), "expands to more than 1 MiB",
                        b -> b.maxUncompressedBytes(1 << 20)),
                tar("manifest larger than the limit", (g, l) -> { }, "raise the manifest size limit (maxManifestBytes)",
                        b -> b.maxManifestBytes(2048)),
                tar("manifest larger than its size limit", (g, l) -> { }, "bytes, more than the limit of 12000 bytes",
                        b -> b.maxManifestBytes(12_000)),
                resigned("malformed manifest JSON", m -> m.substring(0, m.length() - 2), "is not valid JSON"),
                resigned("manifest without its data digest", m -> m.replaceFirst(",\"data\":\\{[^}]*\\}", ""),
                        "field 'data' is missing"),
                resigned("manifest with a chunk's SHA-256", m -> m.replaceFirst("(\"type\":\"CHUNK\",\"size\":\\d+,)",
                        "$1\"sha256\":\"" + "0".repeat(64) + "\","), "is not known for a chunk"),
                resigned("manifest of a newer format", m -> m.replace("{\"formatVersion\":3,",
                        "{\"formatVersion\":4,"), "made by a newer Keepsake (format 4; this version reads format 3)"),
                resigned("manifest of an older format", m -> m.replace("{\"formatVersion\":3,",
                        "{\"formatVersion\":2,"), "made by a pre-release version of Keepsake (format 2)"),
                resigned("manifest with a wrong type", m -> m.replaceFirst("\"size\":(\\d+)", "\"size\":\"$1\""),
                        "field 'entries[0].size' must be an integer but is a string"),
                resigned("manifest with a huge number", m -> m.replaceFirst("\"size\":(\\d+)",
                        "\"size\":123456789012345678901234567890"), "Number value length"),
                resigned("manifest with a number beyond 64 bits", m -> m.replaceFirst("\"size\":(\\d+)",
                        "\"size\":9999999999999999999"), "field 'entries[0].size' is out of range"),
                resigned("manifest with deep nesting", m -> m.replace("\"attributes\":{\"server\":\"15.4\"}",
                                "\"attributes\":{\"server\":" + "[".repeat(5000) + "]".repeat(5000) + "}"),
                        "field 'parts[0].attributes.server' must be a string but is an array"),
                resigned("manifest with an unknown field", m -> m.replace("{\"formatVersion\":3,",
                        "{\"formatVersion\":3,\"surprise\":true,"), "field 'surprise' is not known"),
                resigned("manifest with a duplicate field", m -> m.replace("{\"formatVersion\":3,",
                        "{\"formatVersion\":3,\"formatVersion\":3,"), "Duplicate field 'formatVersion'"),
                resigned("manifest whose entry size disagrees with the tar", m -> m.replace("\"size\":15,",
                        "\"size\":14,"), "inconsistent"),
                resigned("manifest with a different backup id than the header", m -> m.replaceFirst(
                        "\"backupId\":\"1\\.4\\.2_", "\"backupId\":\"9.9.9_"), "header and its manifest disagree"),
                rawTar("oversized PAX header (a memory bomb for general tar readers)", t -> {
                    int at = headerOffset(t, "parts/files/a.txt");
                    byte[] pax = new byte[512 + (2 << 20)];
                    ustarHeader(pax, "PaxHeaders/a", (byte) 'x', 2 << 20);
                    Arrays.fill(pax, 512, pax.length, (byte) 'a');
                    byte[] r = new byte[t.length + pax.length];
                    System.arraycopy(t, 0, r, 0, at);
                    System.arraycopy(pax, 0, r, at, pax.length);
                    System.arraycopy(t, at, r, at + pax.length, t.length - at);
                    return r;
                }, "has a PAX header of 2097152 bytes"),
                tar("GNU long name header", (g, l) -> l.add(3, new TarSurgery.Item(new TarArchiveEntry("././@LongLink",
                        TarConstants.LF_GNUTYPE_LONGNAME, true), "parts/files/x\0".getBytes(StandardCharsets.UTF_8))),
                        "GNU or global extensions are never written by Keepsake"),
                rawTar("bad tar header checksum", t -> {
                    t[headerOffset(t, "parts/files/a.txt") + 20] = 'x';
                    return t;
                }, "tar header checksum mismatch"),
                rawTar("data hidden in the padding after an entry", t -> {
                    t[headerOffset(t, "parts/files/a.txt") + 512 + 15 + 3] = 'x';
                    return t;
                }, "non-zero padding after an entry"),
                rawTar("a lone end-of-archive record followed by data", t -> {
                    int m = headerOffset(t, "keepsake/manifest.json");
                    byte[] r = Arrays.copyOf(t, t.length + 512);
                    System.arraycopy(t, m, r, m + 512, t.length - m);
                    Arrays.fill(r, m, m + 512, (byte) 0);
                    return r;
                }, "end-of-archive marker at offset"),
                rawTar("tar end marker missing", t -> {
                    int sig = headerOffset(t, "keepsake/manifest.sig");
                    return Arrays.copyOf(t, sig + 1024);
                }, "end-of-archive marker is missing"),
                rawTar("non-zero bytes after the tar end marker", t -> {
                    byte[] r = Arrays.copyOf(t, t.length + 512);
                    r[r.length - 1] = 1;
                    return r;
                }, "data after its last entry"),
                rawTar("a corrupted end-of-archive marker", t -> {
                    int sig = headerOffset(t, "keepsake/manifest.sig");
                    t[sig + 1024 + 600] = 1;
                    return t;
                }, "end-of-archive marker at offset"),
                bytes("not an archive", b -> Fixture.bytes(5000, 3), "neither gzip nor zstd"),
                bytes("an empty file", b -> new byte[0], "neither gzip nor zstd"));
    }

    static Stream<Arguments> formatsAndCases() {
        return Stream.of(ArchiveFormat.values()).flatMap(f -> cases().map(c -> Arguments.of(f, c)));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ArchiveFormat.class)
    void aChunkWithChangedContentIsRefusedBeforeAnyPartPreparesOrCommits(ArchiveFormat format, @TempDir Path tmp)
            throws Exception {
        // same name, order and size, other bytes: chunks have no hash of their own, but the SHA-256 of the
        // compressed data in the manifest no longer matches, which pass 1 finds before any part starts
        List<TarSurgery.Item> copy = new ArrayList<>(GOOD.get(format).items());
        int i = 0;
        while (!copy.get(i).name().contains(".chunk-")) {
            i++;
        }
        copy.set(i, copy.get(i).withContent(flipBit(copy.get(i).content().clone(), 10)));
        Path bad = tmp.resolve("bad.tgz");
        TarSurgery.write(copy, bad, format);
        Map<String, String> before = fixture.targets();
        int prepares = fixture.files.prepares.get() + fixture.streams.prepares.get();
        int commits = fixture.files.commits.get() + fixture.streams.commits.get();
        try (MaintenanceEngine engine = fixture.builder().format(format).workDirectory(tmp.resolve("work")).build()) {
            String expected = "the archive does not match the SHA-256 of its data in the manifest; it was tampered "
                    + "with, damaged or rewritten by another tool; use the file the backup wrote.";
            assertThatThrownBy(() -> engine.verify(bad)).isInstanceOf(ArchiveVerificationException.class)
                    .hasMessage("The archive does not match the SHA-256 of its data in the manifest; it was tampered "
                            + "with, damaged or rewritten by another tool; use the file the backup wrote.");

            OperationStatus s = Fixture.await(engine.startRestore(RestoreSource.of(bad)));

            assertThat(s.succeeded()).isFalse();
            assertThat(s.errorCode()).contains(ErrorCode.ARCHIVE_INVALID);
            assertThat(s.statusMessage()).isEqualTo("Restore refused: " + expected + " Nothing was changed.");
        }
        assertThat(fixture.targets()).isEqualTo(before);
        assertThat(fixture.files.prepares.get() + fixture.streams.prepares.get()).isEqualTo(prepares);
        assertThat(fixture.files.commits.get() + fixture.streams.commits.get()).isEqualTo(commits);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("formatsAndCases")
    void damagedArchiveIsRefusedWithoutChangingAnyPart(ArchiveFormat format, Case c, @TempDir Path tmp)
            throws Exception {
        Path bad = tmp.resolve("bad.tgz");
        c.damage().write(GOOD.get(format), bad);
        Map<String, String> before = fixture.targets();
        int prepares = fixture.files.prepares.get() + fixture.streams.prepares.get();
        try (MaintenanceEngine engine = c.config().apply(fixture.builder().workDirectory(tmp.resolve("work")))
                .build()) {
            assertThatThrownBy(() -> engine.verify(bad))
                    .isInstanceOf(ArchiveVerificationException.class)
                    .hasMessageContaining(c.expected());

            OperationStatus s = Fixture.await(engine.startRestore(RestoreSource.of(bad)));
            assertThat(s.succeeded()).isFalse();
            assertThat(s.errorCode()).contains(ErrorCode.ARCHIVE_INVALID);
            assertThat(s.statusMessage())
                    .startsWith("Restore refused: ")
                    .contains(c.expected())
                    .endsWith("Nothing was changed.")
                    .doesNotContain(tmp.toString())
                    .doesNotContain("Exception");
            assertThat(engine.status().running()).isFalse();
        }
        assertThat(fixture.targets()).isEqualTo(before);
        assertThat(fixture.files.prepares.get() + fixture.streams.prepares.get()).isEqualTo(prepares);
        assertThat(fixture.files.commits.get() + fixture.streams.commits.get()).isZero();
        assertThat(bad).exists(); // RestoreSource.of: the caller keeps the file
    }

    /**
     * The data digest covers every compressed byte before the manifest's mark; the bytes from the mark on (the
     * manifest's compressed form, the signature, the end) are checked by the reader's exact expectations of what the
     * writer emits. A flip of any one of them (the first and last 96, 200 seeded ones between), and of the first bytes
     * of the file, is refused.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(ArchiveFormat.class)
    void aFlippedBitInAnyByteOutsideTheDigestedDataIsRefused(ArchiveFormat format, @TempDir Path tmp)
            throws Exception {
        Good g = GOOD.get(format);
        String manifest = new String(g.item("keepsake/manifest.json").content(), StandardCharsets.UTF_8);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"compressedBytes\":(\\d+)").matcher(manifest);
        assertThat(m.find()).as(manifest).isTrue();
        int mark = Integer.parseInt(m.group(1));
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            positions.add(i);
        }
        int end = g.bytes().length;
        for (int i = mark; i < Math.min(end, mark + 96); i++) {
            positions.add(i); // the mark, the first member's or frame's header and block header
        }
        for (int i = Math.max(mark + 96, end - 96); i < end; i++) {
            positions.add(i); // the signature, the tar end, the last CRC and size
        }
        java.util.Random random = new java.util.Random(17);
        for (int i = 0; i < 200 && end - mark > 192; i++) {
            positions.add(mark + 96 + random.nextInt(end - mark - 192)); // the manifest, its headers in between
        }
        Path bad = tmp.resolve("bad");
        List<String> accepted = new ArrayList<>();
        try (MaintenanceEngine engine = fixture.builder().workDirectory(tmp.resolve("work")).build()) {
            for (int position : positions) {
                for (int bit : new int[] {0x01, 0x80}) {
                    byte[] b = g.bytes().clone();
                    b[position] ^= (byte) bit;
                    Files.write(bad, b);
                    try {
                        engine.verify(bad);
                        accepted.add(position + "^" + Integer.toHexString(bit));
                    } catch (ArchiveVerificationException expected) {
                        // refused, as it must be
                    }
                }
            }
        }
        assertThat(accepted).as("flips accepted, of %s bytes (mark at %s)", g.bytes().length, mark).isEmpty();
    }
}
