package dev.keepsake.core;

import dev.keepsake.core.spi.BackupStore;
import dev.keepsake.testfixtures.DirectoryPart;
import dev.keepsake.testfixtures.StreamPart;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A source tree, restore targets and two parts in a temp directory; builds engines over them. */
final class Fixture {

    static final ArchiveKey KEY = ArchiveKey.of("key-2024", bytes(32, 1));
    static final ArchiveKey OLD_KEY = ArchiveKey.of("key-2023", bytes(32, 2));
    static final String LONG_NAME = "d".repeat(60) + "/" + "f".repeat(120) + ".txt";

    final Path root;
    final Path work;
    final Path source;
    final Path filesTarget;
    final Path streamsTarget;
    final DirectoryPart files;
    final StreamPart streams;

    Fixture(Path root) throws IOException {
        this.root = root;
        this.work = root.resolve("work");
        this.source = root.resolve("src");
        this.filesTarget = root.resolve("restored-files");
        this.streamsTarget = root.resolve("restored-streams");
        Files.createDirectories(source.resolve("sub/deeper"));
        Files.createDirectories(source.resolve("emptydir"));
        Files.writeString(source.resolve("a.txt"), "hello keepsake\n");
        Files.write(source.resolve("sub/b.bin"), bytes(100_000, 7));
        Files.write(source.resolve("sub/deeper/empty"), new byte[0]);
        Files.writeString(source.resolve("sub/Grüße ünïcødé.txt"), "unicode name\n", StandardCharsets.UTF_8);
        Files.createDirectories(source.resolve(LONG_NAME).getParent());
        Files.writeString(source.resolve(LONG_NAME), "long name\n");
        Files.createSymbolicLink(source.resolve("link"), Path.of("a.txt"));
        // targets hold "old" data that a failed restore must leave untouched
        Files.createDirectories(filesTarget);
        Files.writeString(filesTarget.resolve("old.txt"), "old files\n");
        Files.createDirectories(streamsTarget);
        Files.writeString(streamsTarget.resolve("old-dump"), "old dump\n");
        this.files = new DirectoryPart("files", source, filesTarget);
        this.streams = new StreamPart("db", streamsTarget);
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    MaintenanceEngine.Builder builder() {
        return MaintenanceEngine.builder()
                .product("demo", Version.parse("1.4.2"))
                .workDirectory(work)
                .signingKey(KEY)
                .part(streams)
                .part(files);
    }

    static OperationStatus await(Operation op) throws Exception {
        return op.completion().get(60, TimeUnit.SECONDS);
    }

    /** Backs up with {@code engine} and returns a copy of the archive (outside the store). */
    Path backup(MaintenanceEngine engine, String copyName) throws Exception {
        OperationStatus s = await(engine.startBackup());
        if (!s.succeeded()) {
            throw new AssertionError("backup failed: " + s.statusMessage());
        }
        BackupStore.StoredBackup b = engine.latestBackup().orElseThrow();
        Path copy = root.resolve(copyName);
        try (InputStream in = b.open(0)) {
            Files.copy(in, copy);
        }
        return copy;
    }

    /** Path → content hash (or "dir" / "link:target") of every file below {@code dir}. */
    static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        if (!Files.exists(dir)) {
            return m;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(p -> !p.equals(dir)).toList()) {
                String rel = dir.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    m.put(rel, "link:" + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    m.put(rel, "dir");
                } else {
                    m.put(rel, sha256(Files.readAllBytes(p)));
                }
            }
        }
        return m;
    }

    /** Snapshot of both targets and of everything next to them (staging leftovers). */
    Map<String, String> targets() throws IOException {
        Map<String, String> m = new TreeMap<>();
        snapshot(filesTarget).forEach((k, v) -> m.put("files/" + k, v));
        snapshot(streamsTarget).forEach((k, v) -> m.put("streams/" + k, v));
        try (Stream<Path> list = Files.list(root)) {
            for (Path p : list.toList()) {
                String n = p.getFileName().toString();
                if (n.endsWith(".staging") || n.endsWith(".old")) {
                    m.put("leftover/" + n, "present");
                }
            }
        }
        return m;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed: " + out);
        }
        return out.lines().toList();
    }
}
