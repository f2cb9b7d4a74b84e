package dev.keepsake.volume.internal.restore;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Detects whether a directory is a mount point, which cannot be renamed (EBUSY) and into which nothing can be renamed
 * from another mount (EXDEV): another device than its parent, or listed in {@code /proc/self/mountinfo} (bind mounts of
 * the same device, as container runtimes create them).
 */
final class MountPoints {

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private MountPoints() {
    }

    static boolean isMountPoint(Path realDirectory) throws IOException {
        Path parent = realDirectory.getParent();
        if (parent == null) {
            return true;
        }
        Object device;
        Object parentDevice;
        try {
            device = Files.getAttribute(realDirectory, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            parentDevice = Files.getAttribute(parent, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return false; // no unix view (not Linux/macOS): only the explicit mountPointMode can tell
        }
        if (!Objects.equals(device, parentDevice)) {
            return true;
        }
        return listedInMountInfo(realDirectory.toString());
    }

    private static boolean listedInMountInfo(String directory) throws IOException {
        if (!Files.isReadable(MOUNTINFO)) {
            return false;
        }
        try (BufferedReader r = Files.newBufferedReader(MOUNTINFO, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                // id parent major:minor root mount-point options ...
                String[] fields = line.split(" ", 6);
                if (fields.length >= 5 && unescape(fields[4]).equals(directory)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).chars().allMatch(
                    d -> d >= '0' && d <= '7')) {
                sb.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
