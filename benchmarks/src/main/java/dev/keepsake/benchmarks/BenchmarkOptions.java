package dev.keepsake.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What to measure: an immutable value, validated once.
 *
 * @param scale       pgbench scale factor (100,000 accounts and about 4 MB of mixed-type rows per unit); fractions
 *                    are allowed for smoke runs
 * @param rounds      measured rounds; each runs every contender once, in an order rotated per round
 * @param warmup      untimed runs of each Keepsake operation before the first round, so that the JIT has compiled its
 *                    hot loops (the reference tools are native programs and need none); 0 measures a cold JVM too
 * @param parallelism connections Keepsake's PostgreSQL part copies with during a backup
 * @param workDirectory where archives and dumps go; empty: a temporary directory deleted at the end
 * @param toolDirectory directory holding pg_dump, pg_restore and psql; empty: the server major's
 *                    {@code /usr/lib/postgresql/<major>/bin}, else the {@code PATH}
 * @param only        measure only the contenders whose name this finds (e.g. {@code keepsake} for profiling); the
 *                    inputs of a selected restore are then made once, untimed; empty: all
 */
public record BenchmarkOptions(double scale, int rounds, int warmup, int parallelism, Optional<Path> workDirectory,
                               Optional<Path> toolDirectory, Optional<Pattern> only) {

    static final String USAGE = """
            Usage: java -Xmx256m -jar keepsake-benchmarks.jar [--scale N] [--rounds R] [--warmup W]
                                                              [--parallelism P] [--work-dir DIR] [--pg-bin DIR]
                                                              [--only REGEX]
              --scale N        pgbench scale: 100,000 accounts and ~4 MB of mixed-type rows per unit (default 50,
                               about 1 GB); fractions allowed (e.g. 0.05 for a smoke run)
              --rounds R       measured rounds, A B A B ... (default 5)
              --warmup W       untimed runs of each Keepsake operation first, for the JIT (default 1)
              --parallelism P  Keepsake backup connections (default 2)
              --work-dir DIR   where archives and dumps are written (default: a temporary directory, deleted)
              --pg-bin DIR     directory of pg_dump/pg_restore/psql (default /usr/lib/postgresql/<major>/bin)
              --only REGEX     measure only contenders whose name matches (e.g. 'keepsake' to profile); the
                               ratios that lack a side are then not printed
            """;

    public BenchmarkOptions {
        only = only == null ? Optional.empty() : only;
        List<String> problems = new ArrayList<>();
        if (!(scale > 0) || scale > 10_000) {
            problems.add("--scale must be a number above 0 and at most 10000 but was " + scale);
        }
        if (rounds < 1 || rounds > 100) {
            problems.add("--rounds must be between 1 and 100 but was " + rounds);
        }
        if (warmup < 0 || warmup > 10) {
            problems.add("--warmup must be between 0 and 10 but was " + warmup);
        }
        if (parallelism < 1 || parallelism > 32) {
            problems.add("--parallelism must be between 1 and 32 but was " + parallelism);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** Parses command-line arguments; lists every problem in one message. */
    public static BenchmarkOptions parse(String... args) {
        double scale = 50;
        int rounds = 5;
        int warmup = 1;
        int parallelism = 2;
        Path work = null;
        Path bin = null;
        Pattern only = null;
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (value == null) {
                problems.add(name + " needs a value");
                break;
            }
            i++;
            try {
                switch (name) {
                    case "--scale" -> scale = Double.parseDouble(value);
                    case "--rounds" -> rounds = Integer.parseInt(value);
                    case "--warmup" -> warmup = Integer.parseInt(value);
                    case "--parallelism" -> parallelism = Integer.parseInt(value);
                    case "--work-dir" -> work = Path.of(value);
                    case "--pg-bin" -> bin = Path.of(value);
                    case "--only" -> only = Pattern.compile(value);
                    default -> problems.add("unknown option " + name);
                }
            } catch (NumberFormatException e) {
                problems.add(name + " needs a number, not '" + value + "'");
            } catch (PatternSyntaxException e) {
                problems.add(name + " needs a regular expression, not '" + value + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new BenchmarkOptions(scale, rounds, warmup, parallelism, Optional.ofNullable(work), Optional.ofNullable(bin),
                Optional.ofNullable(only));
    }
}
