package dev.keepsake.core.internal.archive;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Names and limits of the archive layout (format version {@value #FORMAT_VERSION}; docs/archive-format.md describes
 * it in full). Internal.
 *
 * <pre>
 * keepsake/header.json                         first entry: format, product, backup id, parts known up front
 * parts/&lt;part&gt;/&lt;entry name&gt;                 FILE (regular), DIRECTORY (tar directory, name ends in '/'),
 *                                              SYMLINK (tar symlink, size 0)
 * parts/&lt;part&gt;/&lt;stream&gt;.chunk-&lt;NNNNNN&gt;       CHUNK (regular); the manifest records stream and index explicitly
 *           -- the compressed stream is cut and marked here: everything before is "the data" --
 * keepsake/manifest.json                       every entry in archive order with size (and SHA-256, chunks
 *                                              excepted), and the size and SHA-256 of the compressed data
 * keepsake/manifest.sig                        HMAC-SHA256 over the exact bytes of manifest.json (absent: unsigned)
 * </pre>
 *
 * Nothing follows {@code manifest.sig} but the tar end-of-archive records.
 */
public final class ArchiveLayout {

    /**
     * The one format written and read, for gzip and zstd alike: chunks carry no hash of their own; the manifest holds
     * the size and SHA-256 of all compressed bytes before it ({@link Manifest.DataDigest}). Formats 1 and 2 were
     * written by pre-release versions and are refused ({@link #formatVersionProblem}).
     */
    public static final int FORMAT_VERSION = 3;
    public static final String HEADER = "keepsake/header.json";
    public static final String MANIFEST = "keepsake/manifest.json";
    public static final String SIGNATURE = "keepsake/manifest.sig";
    public static final String PARTS_PREFIX = "parts/";
    public static final String CHUNK_INFIX = ".chunk-";

    /** Largest header.json accepted. */
    public static final int MAX_HEADER_BYTES = 1 << 20;
    /** Largest manifest.sig accepted. */
    public static final int MAX_SIGNATURE_BYTES = 64 * 1024;
    /** Buffer size for copying content. */
    public static final int BUFFER_SIZE = 256 * 1024;

    private static final Pattern PART_NAME = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

    private ArchiveLayout() {
    }

    /**
     * Why an archive of format {@code version} cannot be read by this version, as a complete refusal, or null when it
     * can.
     */
    public static String formatVersionProblem(long version) {
        if (version == FORMAT_VERSION) {
            return null;
        }
        if (version > FORMAT_VERSION) {
            return "The archive was made by a newer Keepsake (format " + version + "; this version reads format "
                    + FORMAT_VERSION + "); restore it with a version at least as new.";
        }
        return "The archive was made by a pre-release version of Keepsake (format " + version + "); this format is "
                + "no longer read; make a new backup.";
    }

    /** Whether {@code name} is a valid part name (and not {@code .} or {@code ..}). */
    public static boolean isValidPartName(String name) {
        return name != null && PART_NAME.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }

    /**
     * Why {@code name} is not a clean relative path ({@code /}-separated, no empty, {@code .} or {@code ..} segment,
     * no leading {@code /}, no backslash, no NUL or other control character), or null when it is.
     */
    public static String pathProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "is empty";
        }
        if (name.length() > 4096) {
            return "is longer than 4096 characters";
        }
        if (name.startsWith("/")) {
            return "is absolute";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\\') {
                return "contains a backslash";
            }
            if (c < 0x20 || c == 0x7f) {
                return "contains a control character";
            }
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty()) {
                return "has an empty segment";
            }
            if (segment.equals(".") || segment.equals("..")) {
                return "has a '" + segment + "' segment";
            }
        }
        return null;
    }

    /** The tar name of a part entry that is not a chunk (directories get a trailing slash). */
    public static String tarName(String part, String name, boolean directory) {
        return PARTS_PREFIX + part + "/" + name + (directory ? "/" : "");
    }

    /** The tar name of chunk {@code index} of stream {@code stream} in part {@code part}. */
    public static String chunkTarName(String part, String stream, int index) {
        return PARTS_PREFIX + part + "/" + stream + CHUNK_INFIX + String.format(Locale.ROOT, "%06d", index);
    }

    /** Lower-case hex. */
    public static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        final char[] digits = "0123456789abcdef".toCharArray();
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = digits[(bytes[i] >> 4) & 0xf];
            out[2 * i + 1] = digits[bytes[i] & 0xf];
        }
        return new String(out);
    }
}
