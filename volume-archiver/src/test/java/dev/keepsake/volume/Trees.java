package dev.keepsake.volume;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Test helpers over real directory trees: a comparable snapshot of everything in a tree, without following links. */
final class Trees {

    private Trees() {
    }

    /**
     * Every path below {@code root} (relative) with its type, permissions, modification time (to the second),
     * size and SHA-256 for files, target for links. The root itself is listed as {@code "."} with its mode.
     */
    static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        PosixFileAttributes a = Files.readAttributes(root, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        out.put(".", "dir " + PosixFilePermissions.toString(a.permissions()));
        walk(root, "", out);
        return out;
    }

    private static void walk(Path dir, String rel, Map<String, String> out) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(children::add);
        }
        for (Path p : children) {
            String name = rel.isEmpty() ? p.getFileName().toString() : rel + "/" + p.getFileName();
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            String perms = PosixFilePermissions.toString(a.permissions());
            String time = seconds(a.lastModifiedTime());
            if (a.isSymbolicLink()) {
                out.put(name, "link -> " + Files.readSymbolicLink(p));
            } else if (a.isDirectory()) {
                out.put(name, "dir " + perms + " " + time);
                walk(p, name, out);
            } else if (a.isRegularFile()) {
                out.put(name, "file " + perms + " " + time + " " + a.size() + " " + sha256(p));
            } else {
                out.put(name, "other");
            }
        }
    }

    static String seconds(FileTime t) {
        return t.toInstant().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static String sha256(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] b = new byte[1 << 16];
            int n;
            while ((n = in.read(b)) > 0) {
                md.update(b, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Names in {@code dir} (not recursive). */
    static List<String> names(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        names.sort(null);
        return names;
    }

    static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
