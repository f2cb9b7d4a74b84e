package dev.keepsake.testkit.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The default PostgreSQL major: configured, else that of the local {@code pg_dump} (so tests can use it as an
 * oracle), else 15. Thread-safe (the detection runs at most a few times and is then cached).
 */
public final class DefaultMajor {

    public static final int FALLBACK = 15;
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)");
    private static volatile Integer detected;

    private DefaultMajor() {
    }

    public static int of(TestkitSettings settings) {
        return settings.configuredMajor().orElseGet(DefaultMajor::detectOnce);
    }

    private static int detectOnce() {
        Integer value = detected;
        if (value == null) {
            value = localPgDumpMajor().orElse(FALLBACK);
            if (value < TestkitSettings.MIN_MAJOR || value > TestkitSettings.MAX_MAJOR) {
                value = FALLBACK;
            }
            detected = value;
        }
        return value;
    }

    /** The major of {@code pg_dump} on the PATH, if there is one that answers. */
    public static OptionalInt localPgDumpMajor() {
        Path pgDump = Commands.onPath("pg_dump");
        if (pgDump == null) {
            return OptionalInt.empty();
        }
        try {
            Commands.Result result = Commands.run(List.of(pgDump.toString(), "--version"), null, null,
                    Duration.ofSeconds(20));
            return parse(result.output());
        } catch (IOException e) {
            return OptionalInt.empty();
        }
    }

    static OptionalInt parse(String versionOutput) {
        Matcher m = VERSION.matcher(versionOutput);
        return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }
}
