package dev.keepsake.volume.internal;

import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules for entry names and link targets of a volume, applied on backup (so that what is backed up can be
 * restored) and on restore (defence in depth: the core checks names too). Stateless; thread-safe.
 */
public final class EntryNames {

    /**
     * Names of Keepsake's own directories at the top of a mount-point volume ({@code .keepsake-staging-<16 hex>},
     * {@code -old-}, {@code -trash-}), and the suffixes of those next to a plain volume directory.
     */
    private static final Pattern INTERNAL = Pattern.compile("\\.keepsake-(staging|old|trash)-[0-9a-f]{16}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private EntryNames() {
    }

    /**
     * Whether a top-level name inside a volume is one of Keepsake's staging, set-aside or trash directories: never
     * backed up, never accepted from an archive.
     */
    public static boolean isInternalName(String name) {
        return INTERNAL.matcher(name).matches();
    }

    /**
     * A fresh internal name of {@code kind} ({@code staging}, {@code old} or {@code trash}) that
     * {@link #isInternalName} recognises: {@code .keepsake-<kind>-<16 random hex digits>}.
     */
    public static String newInternalName(String kind) {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        String name = ".keepsake-" + kind + "-" + HexFormat.of().formatHex(b);
        if (!isInternalName(name)) {
            throw new IllegalArgumentException("unknown kind of internal directory: " + kind);
        }
        return name;
    }

    /**
     * Why {@code name} is not an acceptable entry name, or null when it is: it must be a clean relative
     * {@code /}-separated path of at most {@code maxDepth} segments, {@link VolumeSettings#MAX_PATH_BYTES} UTF-8 bytes
     * and {@link VolumeSettings#MAX_COMPONENT_BYTES} bytes per segment, valid Unicode without U+FFFD (what invalid
     * UTF-8 decodes to), NUL, other control characters or backslash, and without empty, {@code .} or {@code ..}
     * segments.
     */
    public static String problem(String name, int maxDepth) {
        if (name.isEmpty()) {
            return "the name is empty";
        }
        String encoding = encodingProblem(name);
        if (encoding != null) {
            return encoding;
        }
        if (name.startsWith("/")) {
            return "the name is absolute";
        }
        if (name.indexOf('\\') >= 0) {
            return "the name contains a backslash";
        }
        String control = controlProblem(name);
        if (control != null) {
            return "the name " + control;
        }
        int bytes = utf8Length(name);
        if (bytes > VolumeSettings.MAX_PATH_BYTES) {
            return "the name is " + bytes + " bytes long, more than the limit of " + VolumeSettings.MAX_PATH_BYTES;
        }
        int depth = 0;
        int start = 0;
        while (true) {
            int slash = name.indexOf('/', start);
            String segment = slash < 0 ? name.substring(start) : name.substring(start, slash);
            depth++;
            if (segment.isEmpty()) {
                return "the name has an empty path segment";
            }
            if (segment.equals(".") || segment.equals("..")) {
                return "the name contains a '" + segment + "' segment";
            }
            int segmentBytes = utf8Length(segment);
            if (segmentBytes > VolumeSettings.MAX_COMPONENT_BYTES) {
                return "the name has a path component of " + segmentBytes + " bytes, more than the limit of "
                        + VolumeSettings.MAX_COMPONENT_BYTES;
            }
            if (depth > maxDepth) {
                return "the name is nested more than " + maxDepth + " levels deep (the configured maxDepth)";
            }
            if (slash < 0) {
                return null;
            }
            start = slash + 1;
        }
    }

    /**
     * Why a link target is not acceptable as text, or null: it must be relative, non-empty, valid Unicode without
     * U+FFFD, NUL or backslash, and at most {@link VolumeSettings#MAX_PATH_BYTES} bytes. Whether it stays inside
     * the volume is {@link LinkResolver}'s business.
     */
    public static String targetProblem(String target) {
        if (target.isEmpty()) {
            return "the link target is empty";
        }
        String encoding = encodingProblem(target);
        if (encoding != null) {
            return "the link target " + encoding.substring("the name ".length());
        }
        if (target.startsWith("/")) {
            return "the link target is absolute";
        }
        if (target.indexOf('\\') >= 0) {
            return "the link target contains a backslash";
        }
        String control = controlProblem(target);
        if (control != null) {
            return "the link target " + control;
        }
        if (utf8Length(target) > VolumeSettings.MAX_PATH_BYTES) {
            return "the link target is longer than " + VolumeSettings.MAX_PATH_BYTES + " bytes";
        }
        return null;
    }

    /** Control characters (the archive format refuses them; they also make names dangerous to display). */
    private static String controlProblem(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "contains a control character (U+" + String.format("%04X", (int) c) + ")";
            }
        }
        return null;
    }

    private static String encodingProblem(String s) {
        if (s.indexOf('\0') >= 0) {
            return "the name contains a NUL character";
        }
        if (s.indexOf('\uFFFD') >= 0) {
            return "the name is not valid UTF-8 (it contains U+FFFD, the replacement for undecodable bytes)";
        }
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            encoder.encode(CharBuffer.wrap(s));
            return null;
        } catch (CharacterCodingException e) {
            return "the name is not valid Unicode (it contains an unpaired surrogate)";
        }
    }

    /** The length of {@code s} in UTF-8 bytes (an unpaired surrogate counts as 3, as its replacement would). */
    public static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** Splits on {@code /}, keeping empty segments. */
    public static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (true) {
            int slash = path.indexOf('/', start);
            if (slash < 0) {
                out.add(path.substring(start));
                return out;
            }
            out.add(path.substring(start, slash));
            start = slash + 1;
        }
    }

    /**
     * A name made safe for messages and logs: control and non-printable characters escaped as {@code \\uXXXX}, cut to
     * about 200 characters with the full length noted.
     */
    public static String display(String name) {
        StringBuilder sb = new StringBuilder();
        int limit = 200;
        for (int i = 0; i < name.length() && sb.length() < limit; i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c) && !validPair(name, i)
                    || c == '\u2028' || c == '\u2029' || c == '\uFFFD') {
                sb.append(String.format("\\u%04X", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (sb.length() >= limit && name.length() > limit) {
            sb.append("…(").append(name.length()).append(" characters)");
        }
        return sb.toString();
    }

    private static boolean validPair(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }

}
