package dev.keepsake.http.internal.download;

import java.util.Locale;

/**
 * What a {@code Range} header asks of a representation of {@code size} bytes (RFC 9110 §14): the whole of it, one
 * range, or nothing satisfiable. Only single {@code bytes} ranges are served as {@code 206}; a header with several
 * ranges, another unit or bad syntax is ignored (the whole file is sent, as the RFC permits). Immutable.
 *
 * @param kind  whole, partial or unsatisfiable
 * @param first first byte offset (inclusive); 0 for whole
 * @param last  last byte offset (inclusive); size - 1 for whole
 */
public record ByteRange(Kind kind, long first, long last) {

    /** What to answer. */
    public enum Kind { WHOLE, PARTIAL, UNSATISFIABLE }

    /** Number of bytes to send. */
    public long length() {
        return kind == Kind.UNSATISFIABLE ? 0 : last - first + 1;
    }

    static ByteRange whole(long size) {
        return new ByteRange(Kind.WHOLE, 0, size - 1);
    }

    private static ByteRange unsatisfiable() {
        return new ByteRange(Kind.UNSATISFIABLE, -1, -1);
    }

    /**
     * Interprets a {@code Range} header value ({@code null} = none) for a representation of {@code size} bytes.
     */
    public static ByteRange parse(String header, long size) {
        if (header == null) {
            return whole(size);
        }
        String h = header.strip();
        int eq = h.indexOf('=');
        if (eq < 0 || !h.substring(0, eq).strip().toLowerCase(Locale.ROOT).equals("bytes")) {
            return whole(size);
        }
        String spec = h.substring(eq + 1).strip();
        if (spec.isEmpty() || spec.indexOf(',') >= 0) {
            return whole(size); // several ranges: not supported, the whole file is a valid answer
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return whole(size);
        }
        String a = spec.substring(0, dash).strip();
        String b = spec.substring(dash + 1).strip();
        if (a.isEmpty()) {
            // suffix range: the last n bytes
            if (!digits(b)) {
                return whole(size);
            }
            long n = number(b);
            if (n == 0 || size == 0) {
                return unsatisfiable();
            }
            return new ByteRange(Kind.PARTIAL, Math.max(0, size - n), size - 1);
        }
        if (!digits(a) || !(b.isEmpty() || digits(b))) {
            return whole(size);
        }
        long first = number(a);
        long last = b.isEmpty() ? Long.MAX_VALUE : number(b);
        if (last < first) {
            return whole(size); // syntactically invalid: ignored
        }
        if (first >= size) {
            return unsatisfiable();
        }
        return new ByteRange(Kind.PARTIAL, first, Math.min(last, size - 1));
    }

    private static boolean digits(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** Parses digits; anything beyond a long's range counts as {@code Long.MAX_VALUE} (larger than any file). */
    private static long number(String s) {
        String t = s.replaceFirst("^0+(?=.)", "");
        return t.length() > 18 ? Long.MAX_VALUE : Long.parseLong(t);
    }
}
