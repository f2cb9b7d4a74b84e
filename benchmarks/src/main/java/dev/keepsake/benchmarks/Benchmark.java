package dev.keepsake.benchmarks;

import dev.keepsake.core.ArchiveFormat;
import dev.keepsake.postgres.CopySocketFactory;
import dev.keepsake.testkit.PostgresServer;
import dev.keepsake.testkit.TestDatabase;
import org.postgresql.ds.PGSimpleDataSource;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import javax.sql.DataSource;

/**
 * The benchmark program. Creates the dataset at the chosen scale in a throwaway PostgreSQL server (the testkit's),
 * then measures, round after round and alternating, Keepsake's backup (gzip and zstd) against {@code pg_dump} in its
 * usual forms and a raw binary COPY, and Keepsake's restore (one transaction, into a fresh database each time)
 * against {@code pg_restore}; prints a table of medians, the ratios the performance issue sets with PASS/FAIL, the
 * heap Keepsake needed and the archive sizes.
 *
 * <p>Run: {@code mvn -B -q -DskipTests package && java -Xmx256m -jar benchmarks/target/keepsake-benchmarks.jar
 * --scale 50 --rounds 5}. Not thread-safe: one run per instance.
 */
public final class Benchmark {

    static final String KEEPSAKE_BACKUP = "keepsake backup (.tgz, gzip 1)";
    static final String KEEPSAKE_BACKUP_PLAIN = "keepsake backup (.tgz), no socketFactory";
    static final String PG_DUMP_FC = "pg_dump -Fc";
    static final String PG_DUMP_FC_Z1 = "pg_dump -Fc -Z1";
    static final String PG_DUMP_FD_J2 = "pg_dump -Fd -j2 -Z1";
    static final String RAW_COPY = "raw COPY binary, 2 big tables";
    static final String KEEPSAKE_ZSTD = "keepsake backup (.tar.zst, zstd 1)";
    static final String KEEPSAKE_RESTORE = "keepsake restore (.tgz, 1 transaction)";
    static final String PG_RESTORE = "pg_restore (custom)";
    static final String PG_RESTORE_1TX = "pg_restore --single-transaction";
    static final String PG_RESTORE_FD_J2 = "pg_restore -Fd -j2";
    static final long MIB = 1024 * 1024;
    static final long HEAP_LIMIT = 256 * MIB;

    private final BenchmarkOptions options;
    private final PrintStream out;
    private final PrintStream progress;

    /** The outcome of a run, for callers that inspect it (the smoke test). */
    record Result(List<Measurement> measurements, List<Target> targets, long databaseBytes, boolean restoredIdentical) {
        Measurement measurement(String name) {
            return measurements.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
        }
    }

    public Benchmark(BenchmarkOptions options, PrintStream out, PrintStream progress) {
        this.options = options;
        this.out = out;
        this.progress = progress;
    }

    public static void main(String[] args) {
        // the engine's INFO lines would drown the progress lines; -Dorg.slf4j.simpleLogger.defaultLogLevel=info shows them
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        BenchmarkOptions options;
        try {
            options = BenchmarkOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("keepsake-benchmarks: " + e.getMessage());
            System.err.print(BenchmarkOptions.USAGE);
            System.exit(2);
            return;
        }
        try {
            new Benchmark(options, System.out, System.err).run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println("keepsake-benchmarks: interrupted");
            System.exit(130);
        } catch (Exception e) {
            System.err.println("keepsake-benchmarks: the benchmark failed: " + e.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }

    /** Runs the whole benchmark and prints the report. */
    Result run() throws IOException, SQLException, InterruptedException {
        Path work = options.workDirectory().orElse(null);
        boolean temporary = work == null;
        work = temporary ? Files.createTempDirectory("keepsake-benchmark-") : Files.createDirectories(work);
        try (HeapWatch heap = new HeapWatch()) {
            return run(work, heap);
        } finally {
            if (temporary) {
                deleteTree(work);
            }
        }
    }

    private Result run(Path work, HeapWatch heap) throws IOException, SQLException, InterruptedException {
        PostgresServer server = PostgresServer.shared();
        ReferenceTools tools = ReferenceTools.find(options.toolDirectory(), server, work);
        progress.println("server: " + server.description());
        try (TestDatabase source = server.createDatabase("bench_source")) {
            long started = System.nanoTime();
            long databaseBytes;
            Map<String, String> sourcePrint;
            Map<String, Long> sizes;
            try (Connection c = source.connect()) {
                databaseBytes = Dataset.create(c, options.scale());
                sourcePrint = Dataset.fingerprint(c);
                sizes = Dataset.tableSizes(c);
            }
            progress.printf(Locale.ROOT, "dataset: scale %s, %d MB, created in %.1f s%n", options.scale(),
                    databaseBytes / MIB, (System.nanoTime() - started) / 1e9);

            KeepsakeRunner keepsake = new KeepsakeRunner(work, options.parallelism());
            Path tgz = work.resolve("keepsake.tgz");
            Path plainTgz = work.resolve("keepsake-plain.tgz");
            Path zst = work.resolve("keepsake.tar.zst");
            Path fc = work.resolve("dump.fc");
            Path fcZ1 = work.resolve("dump-z1.fc");
            Path fd = work.resolve("dump.fd");

            Measurement kBackup = new Measurement(KEEPSAKE_BACKUP);
            Measurement kBackupPlain = new Measurement(KEEPSAKE_BACKUP_PLAIN);
            Measurement dumpFc = new Measurement(PG_DUMP_FC);
            Measurement dumpFcZ1 = new Measurement(PG_DUMP_FC_Z1);
            Measurement dumpFd = new Measurement(PG_DUMP_FD_J2);
            Measurement rawCopy = new Measurement(RAW_COPY);
            Measurement kZstd = new Measurement(KEEPSAKE_ZSTD);
            Measurement kRestore = new Measurement(KEEPSAKE_RESTORE);
            Measurement restoreFc = new Measurement(PG_RESTORE);
            Measurement restore1tx = new Measurement(PG_RESTORE_1TX);
            Measurement restoreFd = new Measurement(PG_RESTORE_FD_J2);

            List<Step> backups = List.of(
                    new Step(kBackup, () -> {
                        KeepsakeRunner.Timer t = new KeepsakeRunner.Timer();
                        heap.start();
                        try {
                            keepsake.backup(asAService(source), ArchiveFormat.GZIP, tgz, t);
                        } finally {
                            kBackup.heap(heap.stop());
                        }
                        kBackup.outputBytes(Files.size(tgz));
                        return t.seconds();
                    }),
                    new Step(kBackupPlain, () -> {
                        KeepsakeRunner.Timer t = new KeepsakeRunner.Timer();
                        keepsake.backup(source.dataSource(), ArchiveFormat.GZIP, plainTgz, t);
                        kBackupPlain.outputBytes(Files.size(plainTgz));
                        return t.seconds();
                    }),
                    new Step(dumpFc, () -> timed(() -> tools.dump(source.name(), fc, "-Fc"), dumpFc, fc)),
                    new Step(dumpFcZ1, () -> timed(() -> tools.dump(source.name(), fcZ1, "-Fc", "-Z1"), dumpFcZ1, fcZ1)),
                    new Step(dumpFd, () -> timed(() -> {
                        deleteTree(fd);
                        tools.dump(source.name(), fd, "-Fd", "-j2", "-Z1");
                    }, dumpFd, fd)),
                    new Step(rawCopy, () -> timed(() -> tools.rawCopy(source.name(), Dataset.BIG_TABLES), rawCopy, null)),
                    new Step(kZstd, () -> {
                        KeepsakeRunner.Timer t = new KeepsakeRunner.Timer();
                        heap.start();
                        try {
                            keepsake.backup(asAService(source), ArchiveFormat.ZSTD, zst, t);
                        } finally {
                            kZstd.heap(heap.stop());
                        }
                        kZstd.outputBytes(Files.size(zst));
                        return t.seconds();
                    }));
            boolean[] identical = {true};
            List<Step> restores = List.of(
                    new Step(kRestore, () -> intoFreshDatabase(server, target -> {
                        if (!Files.exists(tgz)) {
                            keepsake.backup(asAService(source), ArchiveFormat.GZIP, tgz, new KeepsakeRunner.Timer());
                        }
                        KeepsakeRunner.Timer t = new KeepsakeRunner.Timer();
                        heap.start();
                        try {
                            keepsake.restore(tgz, asAService(target), t);
                        } finally {
                            kRestore.heap(heap.stop());
                        }
                        if (kRestore.seconds().isEmpty()) {
                            identical[0] = checkIdentical(sourcePrint, target);
                        }
                        return t.seconds();
                    })),
                    new Step(restoreFc, () -> intoFreshDatabase(server, target -> {
                        ensure(fc, () -> tools.dump(source.name(), fc, "-Fc"));
                        return timed(() -> tools.restore(target.name(), fc, "--exit-on-error"), restoreFc, null);
                    })),
                    new Step(restore1tx, () -> intoFreshDatabase(server, target -> {
                        ensure(fc, () -> tools.dump(source.name(), fc, "-Fc"));
                        return timed(() -> tools.restore(target.name(), fc, "--single-transaction"), restore1tx, null);
                    })),
                    new Step(restoreFd, () -> intoFreshDatabase(server, target -> {
                        ensure(fd, () -> tools.dump(source.name(), fd, "-Fd", "-j2", "-Z1"));
                        return timed(() -> tools.restore(target.name(), fd, "-Fd", "-j2"), restoreFd, null);
                    })));

            warmUp(backups, server, source);
            warmUp(restores, server, source);
            for (int round = 0; round < options.rounds(); round++) {
                runRotated(backups, round, server, source);
                runRotated(restores, round, server, source);
            }

            List<Measurement> all = Stream.of(kBackup, kBackupPlain, dumpFc, dumpFcZ1, dumpFd, rawCopy, kZstd, kRestore,
                    restoreFc, restore1tx, restoreFd).filter(m -> !m.seconds().isEmpty()).toList();
            List<Target> targets = Stream.of(
                    new Target("backup / pg_dump -Fc", kBackup, dumpFc, 0.45),
                    new Target("backup / pg_dump -Fd -j2 -Z1", kBackup, dumpFd, 1.0),
                    new Target("restore / pg_restore --single-transaction", kRestore, restore1tx, 0.8),
                    new Target("restore / pg_restore -Fd -j2", kRestore, restoreFd, 1.0),
                    new Target("zstd backup / raw COPY", kZstd, rawCopy, 1.3))
                    .filter(t -> all.contains(t.keepsake()) && all.contains(t.reference())).toList();
            Result result = new Result(all, targets, databaseBytes, identical[0]);
            print(result, server, tools, sizes);
            out.println();
            out.println("Where Keepsake's wall time goes (phases polled from the engine's status, average per operation):");
            keepsake.phases().forEach((op, clock) -> {
                if (!clock.averages().isEmpty()) {
                    out.println("- " + op + ": " + clock.describe());
                }
            });
            return result;
        }
    }

    /**
     * The data source Keepsake gets, set up as the README advises a service to: pgjdbc's, with
     * {@link CopySocketFactory} (the step {@value #KEEPSAKE_BACKUP_PLAIN} measures a backup without it).
     */
    static DataSource asAService(TestDatabase db) throws SQLException {
        PGSimpleDataSource ds = db.dataSource().unwrap(PGSimpleDataSource.class); // a new one on each call
        ds.setSocketFactory(CopySocketFactory.class.getName());
        return ds;
    }

    /** Runs every step once, starting at a position that moves by one each round (A B C, B C A, ...). */
    private void runRotated(List<Step> steps, int round, PostgresServer server, TestDatabase source)
            throws IOException, SQLException, InterruptedException {
        List<Step> order = new ArrayList<>(steps.stream().filter(this::selected).toList());
        Collections.rotate(order, -round);
        for (Step step : order) {
            checkpoint(source);
            double s = step.action().run();
            step.measurement().add(s);
            progress.printf(Locale.ROOT, "round %d/%d  %-42s %7.2f s%n", round + 1, options.rounds(),
                    step.measurement().name(), s);
        }
    }

    /**
     * Runs each selected Keepsake step {@code --warmup} times, untimed: the JIT compiles the compressor's and the
     * copy's loops during the first run, which a long-running service pays once. The reference tools are native
     * programs started anew each time and are not warmed up. What a warm-up run records besides its time (heap, CPU,
     * size, the restore's check against the source) is kept.
     */
    private void warmUp(List<Step> steps, PostgresServer server, TestDatabase source)
            throws IOException, SQLException, InterruptedException {
        for (int i = 0; i < options.warmup(); i++) {
            for (Step step : steps) {
                if (selected(step) && step.measurement().name().startsWith("keepsake")) {
                    checkpoint(source);
                    double s = step.action().run();
                    step.measurement().discardTimings();
                    progress.printf(Locale.ROOT, "warm-up %d/%d  %-40s %7.2f s (not counted)%n", i + 1,
                            options.warmup(), step.measurement().name(), s);
                }
            }
        }
    }

    private boolean selected(Step step) {
        return options.only().map(p -> p.matcher(step.measurement().name()).find()).orElse(true);
    }

    /**
     * Flushes PostgreSQL's dirty buffers and then the operating system's before each measurement, so no contender
     * pays for the previous one's writes.
     */
    private static void checkpoint(TestDatabase db) throws SQLException, IOException, InterruptedException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CHECKPOINT");
        }
        // and the operating system's dirty pages (the files the previous contender wrote), so that their write-back
        // does not land in the next measurement; skipped where there is no sync(1)
        Path sync = Path.of("/bin/sync");
        if (Files.isExecutable(sync)) {
            new ProcessBuilder(sync.toString()).inheritIO().start().waitFor();
        }
    }

    /** Makes a restore's input (untimed) when its backup step was not selected. */
    private static void ensure(Path input, IoAction make) throws IOException, InterruptedException {
        if (!Files.exists(input)) {
            make.run();
        }
    }

    private static double timed(IoAction action, Measurement m, Path output) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        action.run();
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (output != null) {
            m.outputBytes(sizeOf(output));
        }
        return seconds;
    }

    private static double intoFreshDatabase(PostgresServer server, RestoreAction action)
            throws IOException, SQLException, InterruptedException {
        try (TestDatabase target = server.createDatabase("bench_restore")) {
            checkpoint(target);
            return action.run(target);
        }
    }

    private boolean checkIdentical(Map<String, String> expected, TestDatabase target) throws SQLException {
        Map<String, String> actual;
        try (Connection c = target.connect()) {
            actual = Dataset.fingerprint(c);
        }
        if (!actual.equals(expected)) {
            throw new IllegalStateException("the Keepsake restore differs from the source: expected " + expected
                    + " but found " + actual);
        }
        progress.println("keepsake restore verified: every table has the source's rows " + actual);
        return true;
    }

    private void print(Result r, PostgresServer server, ReferenceTools tools, Map<String, Long> sizes)
            throws IOException, InterruptedException {
        out.println();
        out.printf(Locale.ROOT, "Keepsake benchmark: scale %s (%,d accounts, %,d mixed-type rows), database %,d MB,"
                + " %d round(s), contenders alternating, after %d untimed warm-up run(s) of each Keepsake operation%n",
                options.scale(), Dataset.accounts(options.scale()), Dataset.mixedRows(options.scale()),
                r.databaseBytes() / MIB, options.rounds(), options.warmup());
        out.printf(Locale.ROOT, "server: %s; tools: %s (%s)%n", server.description(), tools.directory(),
                tools.version("pg_dump"));
        out.printf(Locale.ROOT, "JVM: %s, %d CPUs, max heap %d MB; Keepsake backup parallelism %d%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), HeapWatch.maxHeap() / MIB,
                options.parallelism());
        StringBuilder tables = new StringBuilder("tables (with indexes):");
        sizes.forEach((t, b) -> tables.append(String.format(Locale.ROOT, " %s %,d MB;", t, b / MIB)));
        out.println(tables);
        out.println();
        out.println("| operation | median s | rounds s | output MB | JVM CPU s | peak heap MB (live after GC) |");
        out.println("|---|---:|---|---:|---:|---:|");
        for (Measurement m : r.measurements()) {
            StringBuilder rounds = new StringBuilder();
            for (double s : m.seconds()) {
                rounds.append(rounds.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", s));
            }
            String size = m.outputBytes() < 0 ? "" : String.format(Locale.ROOT, "%.1f", m.outputBytes() / (double) MIB);
            String heap = m.heap() == null ? "" : String.format(Locale.ROOT, "%d (%d)", m.heap().used() / MIB,
                    m.heap().liveAfterGc() / MIB);
            String cpu = m.medianCpu() < 0 ? "" : String.format(Locale.ROOT, "%.2f", m.medianCpu());
            out.printf(Locale.ROOT, "| %s | %.2f | %s | %s | %s | %s |%n", m.name(), m.median(), rounds, size, cpu,
                    heap);
        }
        out.println();
        out.println("| target | ratio | bar | result |");
        out.println("|---|---:|---:|---|");
        for (Target t : r.targets()) {
            out.printf(Locale.ROOT, "| %s | %.2f | <= %.2f | %s |%n", t.label(), t.ratio(), t.limit(),
                    t.passed() ? "PASS" : "FAIL");
        }
        long peak = r.measurements().stream().filter(m -> m.heap() != null).mapToLong(m -> m.heap().used()).max()
                .orElse(0);
        long live = r.measurements().stream().filter(m -> m.heap() != null).mapToLong(m -> m.heap().liveAfterGc())
                .max().orElse(0);
        out.printf(Locale.ROOT, "| peak heap of Keepsake operations (max heap %d MB; live after GC %d MB) | %d MB |"
                        + " <= 256 MB | %s |%n", HeapWatch.maxHeap() / MIB, live / MIB, peak / MIB,
                peak <= HEAP_LIMIT ? "PASS" : "FAIL");
        out.printf(Locale.ROOT, "%nKeepsake restore verified against the source (row counts and row digests of every"
                + " table): %s%n", r.restoredIdentical() ? "identical" : "DIFFERENT");
        out.printf(Locale.ROOT, "JVM arguments: %s%n", ManagementFactory.getRuntimeMXBean().getInputArguments());
    }

    static long sizeOf(Path path) {
        try (Stream<Path> files = Files.walk(path)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private record Step(Measurement measurement, TimedAction action) {
    }

    @FunctionalInterface
    private interface TimedAction {
        double run() throws IOException, SQLException, InterruptedException;
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException, InterruptedException;
    }

    @FunctionalInterface
    private interface RestoreAction {
        double run(TestDatabase target) throws IOException, SQLException, InterruptedException;
    }
}
