package dev.keepsake.volume;

import dev.keepsake.core.ArchiveVerificationException;
import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.testfixtures.ListPartReader;
import dev.keepsake.testfixtures.ListPartReader.Item;
import dev.keepsake.testfixtures.TestJobContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The volume's own validation, tested directly (pg_verifybackup style): a {@link ListPartReader} yields one hostile
 * entry sequence per case — including ones the engine's verification would already refuse — and each must be refused
 * with a message naming the entry, before anything in the volume (or outside it) changes, leaving no staging behind.
 */
class HostileEntryTest {

    static final Instant T = Instant.parse("2020-01-01T00:00:00Z");

    @TempDir
    Path tmp;
    Path srv;
    Path vol;
    Path outside;

    record Case(String label, List<Item> items, Class<? extends Exception> type, String entry, String fragment,
                UnaryOperator<VolumePart.Builder> config, Long totalBytes, Long entryCount) {
        @Override
        public String toString() {
            return label;
        }
    }

    static Item file(String name, String content) {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        return new Item(ArchiveEntry.file(name, b.length, 0644, T), b);
    }

    static Item file(String name, long declaredSize, byte[] actual) {
        return new Item(ArchiveEntry.file(name, declaredSize, 0644, T), actual);
    }

    static Item dir(String name) {
        return new Item(ArchiveEntry.directory(name, 0755, T), new byte[0]);
    }

    static Item link(String name, String target) {
        return new Item(ArchiveEntry.symlink(name, target, T), new byte[0]);
    }

    static Case refused(String label, String entry, String fragment, Item... items) {
        return new Case(label, List.of(items), UnsafeArchiveEntryException.class, entry, fragment, b -> b, null, null);
    }

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        c.add(refused("parent escape", "../x", "contains a '..' segment", file("../x", "pwned")));
        c.add(refused("absolute", "/etc/x", "is absolute", file("/etc/x", "pwned")));
        c.add(refused("escape in the middle", "a/../../b", "contains a '..' segment", file("a/../../b", "pwned")));
        c.add(refused("dot dot", "..", "contains a '..' segment", dir("..")));
        c.add(refused("dot slash", "./", "contains a '.' segment", dir("./")));
        c.add(refused("empty name", "", "the name is empty", file("", "x")));
        c.add(refused("backslashes", "..\\..\\x", "contains a backslash", file("..\\..\\x", "pwned")));
        c.add(refused("empty segment", "a//b", "empty path segment", file("a//b", "x")));
        c.add(refused("trailing slash", "a/", "empty path segment", file("a/", "x")));
        c.add(refused("NUL", "a\0b", "NUL character", file("a\0b", "x")));
        c.add(refused("newline", "a\nb", "control character", file("a\nb", "x")));
        c.add(refused("invalid UTF-8 (decoded as U+FFFD)", "bad\uFFFDname", "not valid UTF-8",
                file("bad\uFFFDname", "x")));
        c.add(refused("unpaired surrogate", "bad\uD800name", "unpaired surrogate", file("bad\uD800name", "x")));
        c.add(refused("300-byte component", "d/" + "x".repeat(300), "component of 300 bytes",
                file("d/" + "x".repeat(300), "x")));
        String longPath = ("p".repeat(49) + "/").repeat(100) + "f";
        c.add(refused("5,000-character path", longPath, "5001 bytes long", file(longPath, "x")));
        List<Item> nested = new ArrayList<>();
        StringBuilder n = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            n.append(i == 0 ? "d" : "/d");
            nested.add(dir(n.toString()));
        }
        c.add(refused("1,000 nested directories", "d" + "/d".repeat(256), "nested more than 256 levels",
                nested.toArray(Item[]::new)));
        c.add(refused("chunk entry", "stream", "type CHUNK is not allowed",
                new Item(new ArchiveEntry("stream", ArchiveEntry.Type.CHUNK, 1, 0644, T, null, 0), new byte[1])));
        c.add(refused("duplicate file", "f", "duplicate entry", file("f", "one"), file("f", "two")));
        c.add(refused("duplicate directory", "d", "duplicate entry", dir("d"), dir("d")));
        c.add(refused("file then directory of the same name", "d", "duplicate entry", file("d", "x"), dir("d")));
        c.add(refused("NFC collision", "cafe\u0301", "collides after Unicode NFC normalisation",
                file("caf\u00e9", "precomposed"), file("cafe\u0301", "decomposed")));
        c.add(refused("NFC collision of parents", "cafe\u0301/b", "parent collides after Unicode NFC",
                file("caf\u00e9/a", "precomposed"), file("cafe\u0301/b", "decomposed")));
        c.add(refused("entry below a file", "a/b", "its parent 'a' is a file", file("a", "x"), file("a/b", "y")));
        c.add(refused("file listed after entries inside it", "a", "earlier entries are inside it",
                file("a/b", "x"), file("a", "y")));
        c.add(refused("absolute link", "l", "link target is absolute", link("l", "/etc/passwd")));
        c.add(refused("link escaping with ..", "l", "leads outside the volume", link("l", "../outside")));
        c.add(refused("sibling-prefix escape (vol vs volx)", "l", "leads outside the volume",
                link("l", "../volx/secret")));
        c.add(refused("link outside followed by a file written through it", "l/pwned",
                "its parent 'l' is a symbolic link", link("l", "../../outside"), file("l/pwned", "pwned")));
        c.add(refused("link outside followed by a directory through it", "l/d",
                "its parent 'l' is a symbolic link", link("l", "../outside"), dir("l/d")));
        c.add(refused("escape hidden behind another link", "w", "leads outside the volume",
                dir("x/y"), link("x/y/z", "../.."), link("w", "x/y/z/q/../../../..")));
        c.add(refused("escape through a link listed later", "l2", "leads outside the volume",
                link("l2", "l1/x"), link("l1", "../outside")));
        c.add(refused("link loop", "a", "more than 40 links", link("a", "b"), link("b", "a")));
        c.add(refused("link with backslash target", "l", "link target contains a backslash",
                link("l", "..\\outside")));
        c.add(refused("reserved staging name", ".keepsake-staging-0123456789abcdef/x", "reserved",
                file(".keepsake-staging-0123456789abcdef/x", "x")));
        c.add(refused("truncated inside an entry", "f", "ends after 4 of 10 bytes",
                file("f", 10, "1234".getBytes(StandardCharsets.UTF_8))));
        c.add(refused("content longer than declared (bomb past its size)", "f", "longer than its declared size of 3",
                file("f", 3, new byte[1000])));
        c.add(new Case("entries declaring more than the part's total", List.of(file("f", "0123456789")),
                UnsafeArchiveEntryException.class, "f", "declare more than its total of 5", b -> b, 5L, null));
        c.add(new Case("entry missing at the end (cut at an entry boundary)",
                List.of(file("a", "x"), file("b", "y")), ArchiveVerificationException.class, null,
                "the manifest declares 3 entries", b -> b, null, 3L));
        c.add(new Case("absolute restore limit (declared)", List.of(file("f", 4096, new byte[4096])),
                VolumeRestoreException.class, null, "more than the configured maxRestoreBytes of 1000",
                b -> b.maxRestoreBytes(1000), null, null));
        c.add(new Case("absolute restore limit (counted while writing)",
                List.of(file("f", 600, new byte[600]), file("g", 600, new byte[600])),
                VolumeRestoreException.class, null, "more than the configured maxRestoreBytes of 1000",
                b -> b.maxRestoreBytes(1000), 1L << 20, null));
        c.add(new Case("not enough free space", List.of(file("f", "x")), VolumeRestoreException.class, null,
                "not enough free space", b -> b.freeSpaceMargin(Long.MAX_VALUE / 2), null, null));
        return c.stream();
    }

    @BeforeEach
    void volumeWithContent() throws IOException {
        srv = tmp.resolve("srv");
        vol = srv.resolve("vol");
        Trees.write(vol.resolve("keep.txt"), "the service's data");
        Trees.write(vol.resolve("sub/inner.txt"), "more data");
        Files.createSymbolicLink(vol.resolve("internal-link"), Path.of("sub/inner.txt"));
        Trees.write(srv.resolve("volx/secret"), "sibling volume's secret");
        outside = tmp.resolve("outside");
        Files.createDirectories(outside);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hostileEntryIsRefusedBeforeAnythingChanges(Case c) throws IOException {
        // the parent's own mtime changes (a sibling staging directory came and went); everything else must not
        Map<String, Object> before = state();
        VolumePart part = c.config().apply(VolumePart.builder().name("vol").path(vol)).build();
        ListPartReader reader = new ListPartReader(part.name(), c.items(), c.totalBytes(), c.entryCount(), Map.of());

        Throwable thrown = catchThrowable(() -> part.prepare(reader, TestJobContext.normal()));

        assertThat(thrown).isInstanceOf(c.type()).hasMessageContaining(c.fragment());
        if (c.entry() != null) {
            assertThat(((UnsafeArchiveEntryException) thrown).entryName()).isEqualTo(c.entry());
            assertThat(thrown.getMessage()).contains("'" + display(c.entry())).contains("nothing was changed");
        }
        assertThat(state()).as("volume, sibling, outside, and no staging left").isEqualTo(before);
    }

    private Map<String, Object> state() throws IOException {
        return Map.of("vol", Trees.snapshot(vol), "volx", Trees.snapshot(srv.resolve("volx")),
                "outside", Trees.snapshot(outside), "srv", Trees.names(srv), "tmp", Trees.names(tmp));
    }

    /** Messages escape control characters and cut long names; compare with the start of the name. */
    private static String display(String name) {
        StringBuilder sb = new StringBuilder();
        for (char ch : name.toCharArray()) {
            if (sb.length() >= 200) {
                break;
            }
            sb.append(Character.isISOControl(ch) || Character.isSurrogate(ch) || ch == '\uFFFD'
                    ? String.format("\\u%04X", (int) ch) : String.valueOf(ch));
        }
        return name.length() > 200 ? sb.substring(0, 100) : sb + "'";
    }
}
