package dev.keepsake.http.internal.download;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ByteRangeTest {

    @ParameterizedTest(name = "[{0}] of 1000 bytes -> {1} {2}-{3}")
    @CsvSource(nullValues = "NULL", value = {
            "NULL,            WHOLE, 0, 999",
            "bytes=0-99,      PARTIAL, 0, 99",
            "bytes=500-,      PARTIAL, 500, 999",
            "bytes=-100,      PARTIAL, 900, 999",
            "bytes=-5000,     PARTIAL, 0, 999",
            "bytes=990-5000,  PARTIAL, 990, 999",
            "bytes=999-999,   PARTIAL, 999, 999",
            "BYTES = 1-2,     PARTIAL, 1, 2",
            "bytes=00010-00020, PARTIAL, 10, 20",
            "bytes=0-99999999999999999999999, PARTIAL, 0, 999",
            "bytes=1000-,     UNSATISFIABLE, -1, -1",
            "bytes=1000-2000, UNSATISFIABLE, -1, -1",
            "bytes=-0,        UNSATISFIABLE, -1, -1",
            "bytes=99999999999999999999999-, UNSATISFIABLE, -1, -1",
            "bytes=5-1,       WHOLE, 0, 999",
            "bytes=0-1;2-3,   WHOLE, 0, 999",
            "'bytes=0-1,2-3', WHOLE, 0, 999",
            "items=0-1,       WHOLE, 0, 999",
            "bytes=a-b,       WHOLE, 0, 999",
            "bytes=,          WHOLE, 0, 999",
            "bytes=-,         WHOLE, 0, 999",
            "garbage,         WHOLE, 0, 999"})
    void rangeHeadersAreInterpretedPerRfc9110(String header, ByteRange.Kind kind, long first, long last) {
        ByteRange r = ByteRange.parse(header, 1000);
        assertThat(r.kind()).isEqualTo(kind);
        assertThat(r.first()).isEqualTo(first);
        assertThat(r.last()).isEqualTo(last);
        if (kind != ByteRange.Kind.UNSATISFIABLE) {
            assertThat(r.length()).isEqualTo(last - first + 1);
        }
    }
}
