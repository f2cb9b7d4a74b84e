package dev.keepsake.benchmarks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchmarkSmokeIT {

    @Test
    void tinyScaleRunMeasuresEveryContenderAndVerifiesTheRestore(@TempDir Path work) throws Exception {
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        BenchmarkOptions options = BenchmarkOptions.parse("--scale", "0.02", "--rounds", "2", "--work-dir",
                work.toString());

        Benchmark.Result result = new Benchmark(options, new PrintStream(report, true, StandardCharsets.UTF_8),
                new PrintStream(progress, true, StandardCharsets.UTF_8)).run();

        assertThat(result.restoredIdentical()).isTrue();
        assertThat(result.measurements()).hasSize(11).allSatisfy(m -> {
            assertThat(m.seconds()).hasSize(2).allSatisfy(s -> assertThat(s).isPositive());
        });
        assertThat(result.measurement(Benchmark.KEEPSAKE_BACKUP).outputBytes()).isPositive();
        assertThat(result.measurement(Benchmark.KEEPSAKE_BACKUP_PLAIN).outputBytes()).isPositive();
        assertThat(result.measurement(Benchmark.KEEPSAKE_ZSTD).outputBytes()).isPositive();
        assertThat(result.measurement(Benchmark.PG_DUMP_FD_J2).outputBytes()).isPositive();
        assertThat(result.measurement(Benchmark.KEEPSAKE_RESTORE).heap().used()).isPositive();
        assertThat(result.targets()).hasSize(5);
        assertThat(Files.exists(work.resolve("keepsake.tgz"))).isTrue();
        String text = report.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("| " + Benchmark.KEEPSAKE_RESTORE + " |", "| " + Benchmark.PG_RESTORE_FD_J2 + " |",
                "backup / pg_dump -Fc", "zstd backup / raw COPY", "peak heap", "identical");
        assertThat(text).containsPattern("\\| (PASS|FAIL) \\|");
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("warm-up 1/1  " + Benchmark.KEEPSAKE_BACKUP,
                "warm-up 1/1  " + Benchmark.KEEPSAKE_RESTORE).doesNotContain("warm-up 1/1  pg_");
    }

    @Test
    void optionsNameEveryProblemAtOnce() {
        assertThatThrownBy(() -> BenchmarkOptions.parse("--scale", "0", "--rounds", "x", "--bogus", "1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--rounds needs a number, not 'x'")
                .hasMessageContaining("unknown option --bogus");
        assertThatThrownBy(() -> BenchmarkOptions.parse("--scale", "0"))
                .hasMessageContaining("--scale must be a number above 0");
        assertThat(BenchmarkOptions.parse().scale()).isEqualTo(50);
        assertThat(BenchmarkOptions.parse().rounds()).isEqualTo(5);
        assertThat(BenchmarkOptions.parse().warmup()).isEqualTo(1);
        assertThatThrownBy(() -> BenchmarkOptions.parse("--warmup", "-1"))
                .hasMessageContaining("--warmup must be between 0 and 10 but was -1");
    }
}
