package dev.keepsake.examples;

import dev.keepsake.core.Progress;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressDisplayTest {

    private static Progress progress(String phase, long done, long expected) {
        return new Progress("backup", phase, "postgres", done, expected < 0 ? OptionalLong.empty() : OptionalLong.of(expected));
    }

    @Test
    void terminalRedrawsOneBarInPlace() {
        StringWriter s = new StringWriter();
        ProgressDisplay d = new ProgressDisplay(new PrintWriter(s), true);

        d.show(progress("copying public.film", 512 * 1024, 2 * 1024 * 1024));
        d.show(progress("copying public.film", 2 * 1024 * 1024, 2 * 1024 * 1024));

        String out = s.toString();
        assertThat(out).doesNotContain("\n").startsWith("\r[#######").contains("25% copying public.film [postgres]")
                .contains("(512.0 KiB of 2.0 MiB)");
        assertThat(out.substring(out.lastIndexOf('\r'))).startsWith("\r[" + "#".repeat(30) + "] 100%");
    }

    @Test
    void plainOutputPrintsOneLinePerPhase() {
        StringWriter s = new StringWriter();
        ProgressDisplay d = new ProgressDisplay(new PrintWriter(s), false);

        d.show(progress("copying public.film", 10, -1));
        d.show(progress("copying public.film", 20, -1));
        d.show(progress("copying uploads", 30, -1));

        assertThat(s.toString().lines().toList()).containsExactly(
                "backup: copying public.film [postgres] (10 B)",
                "backup: copying uploads [postgres] (30 B)");
    }

    @Test
    void bytesAreShownInBinaryUnits() {
        assertThat(ProgressDisplay.bytes(1023)).isEqualTo("1023 B");
        assertThat(ProgressDisplay.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(ProgressDisplay.bytes(3L << 30)).isEqualTo("3.0 GiB");
    }
}
