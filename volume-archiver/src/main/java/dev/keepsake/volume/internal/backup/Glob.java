package dev.keepsake.volume.internal.backup;

import java.util.regex.Pattern;

/**
 * Glob patterns over paths relative to a volume, {@code /}-separated: {@code *} and {@code ?} match within one
 * segment, {@code **} matches across segments, {@code **}{@code /} also matches no directory at all (so
 * {@code **}{@code /*.tmp} matches {@code a.tmp} and {@code x/y/a.tmp}), a trailing {@code /**} matches everything
 * below a directory but not the directory itself, {@code [abc]}/{@code [!abc]} match one character of a class,
 * {@code {a,b}} one of the alternatives, and {@code \} escapes the next character. Immutable and thread-safe.
 */
public final class Glob {

    private final String text;
    private final Pattern regex;

    private Glob(String text, Pattern regex) {
        this.text = text;
        this.regex = regex;
    }

    /** Compiles a pattern; throws {@link IllegalArgumentException} with {@link #problem} when it is invalid. */
    public static Glob compile(String pattern) {
        String problem = problem(pattern);
        if (problem != null) {
            throw new IllegalArgumentException("glob '" + pattern + "': " + problem);
        }
        return new Glob(pattern, Pattern.compile(toRegex(pattern)));
    }

    /** Why the pattern is invalid, or null when it is fine. */
    public static String problem(String pattern) {
        if (pattern.isEmpty()) {
            return "it is empty";
        }
        if (pattern.startsWith("/")) {
            return "it must be relative to the volume directory (no leading '/')";
        }
        if (pattern.indexOf('\0') >= 0) {
            return "it contains a NUL character";
        }
        try {
            Pattern.compile(toRegex(pattern));
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage().lines().findFirst().orElse("invalid");
        }
    }

    /** Whether the relative path matches the whole pattern. */
    public boolean matches(String relativePath) {
        return regex.matcher(relativePath).matches();
    }

    @Override
    public String toString() {
        return text;
    }

    private static String toRegex(String glob) {
        StringBuilder re = new StringBuilder();
        boolean inGroup = false;
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> {
                    if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                        boolean atSegmentStart = i == 0 || glob.charAt(i - 1) == '/';
                        if (atSegmentStart && i + 2 < glob.length() && glob.charAt(i + 2) == '/') {
                            re.append("(?:.*/)?");
                            i += 3;
                        } else {
                            re.append(".*");
                            i += 2;
                        }
                        continue;
                    }
                    re.append("[^/]*");
                }
                case '?' -> re.append("[^/]");
                case '[' -> {
                    int end = glob.indexOf(']', i + 2);
                    if (end < 0) {
                        throw new IllegalArgumentException("unclosed '[' at position " + i);
                    }
                    String body = glob.substring(i + 1, end);
                    boolean negate = body.startsWith("!");
                    if (negate) {
                        body = body.substring(1);
                    }
                    if (body.isEmpty()) {
                        throw new IllegalArgumentException("empty character class at position " + i);
                    }
                    re.append(negate ? "[^/" : "(?![/])[");
                    for (char b : body.toCharArray()) {
                        if (b == '-') {
                            re.append('-');
                        } else if (Character.isLetterOrDigit(b)) {
                            re.append(b);
                        } else {
                            re.append('\\').append(b);
                        }
                    }
                    re.append(']');
                    i = end;
                }
                case '{' -> {
                    if (inGroup) {
                        throw new IllegalArgumentException("nested '{' at position " + i);
                    }
                    inGroup = true;
                    re.append("(?:");
                }
                case '}' -> {
                    if (!inGroup) {
                        throw new IllegalArgumentException("unmatched '}' at position " + i);
                    }
                    inGroup = false;
                    re.append(')');
                }
                case ',' -> re.append(inGroup ? "|" : ",");
                case '\\' -> {
                    if (i + 1 >= glob.length()) {
                        throw new IllegalArgumentException("'\\' at the end escapes nothing");
                    }
                    i++;
                    re.append(Pattern.quote(String.valueOf(glob.charAt(i))));
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
            i++;
        }
        if (inGroup) {
            throw new IllegalArgumentException("unclosed '{'");
        }
        return re.toString();
    }
}
