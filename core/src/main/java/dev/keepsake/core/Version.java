package dev.keepsake.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A product version such as {@code 1.0.73}, {@code 1.10.0} or {@code 2.0.0-rc.1}, compared numerically segment by
 * segment ({@code 1.10.0 > 1.9.7}; missing segments count as 0, so {@code 1.2 == 1.2.0}). A pre-release suffix after
 * {@code -} sorts before the release ({@code 2.0.0-rc.1 < 2.0.0}); pre-release identifiers compare as in Semantic
 * Versioning (numeric ones numerically, below alphanumeric ones). Build metadata after {@code +} is ignored in
 * comparisons. Immutable and thread-safe.
 */
public final class Version implements Comparable<Version> {

    private final String text;
    private final long[] release;
    private final List<String> preRelease;

    private Version(String text, long[] release, List<String> preRelease) {
        this.text = text;
        this.release = release;
        this.preRelease = preRelease;
    }

    /**
     * Parses a version.
     *
     * @throws IllegalArgumentException naming the text when it is not of the form {@code N(.N)*(-pre)?(+build)?}
     */
    public static Version parse(String text) {
        Objects.requireNonNull(text, "version");
        String s = text.strip();
        if (s.startsWith("v") || s.startsWith("V")) {
            s = s.substring(1);
        }
        int plus = s.indexOf('+');
        if (plus >= 0) {
            s = s.substring(0, plus);
        }
        String pre = null;
        int dash = s.indexOf('-');
        if (dash >= 0) {
            pre = s.substring(dash + 1);
            s = s.substring(0, dash);
        }
        String[] parts = s.split("\\.", -1);
        if (s.isEmpty() || parts.length > 10) {
            throw invalid(text);
        }
        long[] release = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 18 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw invalid(text);
            }
            release[i] = Long.parseLong(p);
        }
        List<String> preIds = new ArrayList<>();
        if (pre != null) {
            if (pre.isEmpty()) {
                throw invalid(text);
            }
            for (String id : pre.split("\\.", -1)) {
                if (id.isEmpty() || !id.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-')) {
                    throw invalid(text);
                }
                preIds.add(id);
            }
        }
        return new Version(text.strip(), release, List.copyOf(preIds));
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("'" + text + "' is not a version: expected numbers separated by dots, "
                + "optionally followed by -pre-release (e.g. 1.10.0 or 2.0.0-rc.1)");
    }

    /** Whether this is a pre-release ({@code 2.0.0-rc.1}). */
    public boolean isPreRelease() {
        return !preRelease.isEmpty();
    }

    @Override
    public int compareTo(Version o) {
        int n = Math.max(release.length, o.release.length);
        for (int i = 0; i < n; i++) {
            long a = i < release.length ? release[i] : 0;
            long b = i < o.release.length ? o.release[i] : 0;
            if (a != b) {
                return Long.compare(a, b);
            }
        }
        if (preRelease.isEmpty() || o.preRelease.isEmpty()) {
            return Boolean.compare(preRelease.isEmpty(), o.preRelease.isEmpty());
        }
        for (int i = 0; i < Math.min(preRelease.size(), o.preRelease.size()); i++) {
            int c = comparePreId(preRelease.get(i), o.preRelease.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(preRelease.size(), o.preRelease.size());
    }

    private static int comparePreId(String a, String b) {
        boolean an = a.chars().allMatch(Character::isDigit);
        boolean bn = b.chars().allMatch(Character::isDigit);
        if (an && bn) {
            int c = Integer.compare(a.length(), b.length()); // no overflow for long numeric ids
            return c != 0 ? c : a.compareTo(b);
        }
        if (an != bn) {
            return an ? -1 : 1;
        }
        return a.compareTo(b);
    }

    public boolean isOlderThan(Version o) {
        return compareTo(o) < 0;
    }

    public boolean isNewerThan(Version o) {
        return compareTo(o) > 0;
    }

    /** Equal when they compare equal ({@code 1.2} equals {@code 1.2.0}). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Version v && compareTo(v) == 0;
    }

    @Override
    public int hashCode() {
        int last = release.length;
        while (last > 1 && release[last - 1] == 0) {
            last--;
        }
        int h = preRelease.hashCode();
        for (int i = 0; i < last; i++) {
            h = 31 * h + Long.hashCode(release[i]);
        }
        return h;
    }

    /** The text as given (trimmed). */
    @Override
    public String toString() {
        return text;
    }
}
