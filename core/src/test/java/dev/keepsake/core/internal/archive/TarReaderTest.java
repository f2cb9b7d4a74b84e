package dev.keepsake.core.internal.archive;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Header parsing details of the strict tar reader that whole-archive tests do not reach. */
class TarReaderTest {

    /** A ustar header; {@code sizeField} is written verbatim (12 bytes) when not null. */
    static byte[] header(String name, char type, long size, byte[] sizeField) {
        byte[] b = new byte[512];
        put(b, 0, name);
        put(b, 100, "0000644");
        put(b, 108, "0000000");
        put(b, 116, "0000000");
        if (sizeField != null) {
            System.arraycopy(sizeField, 0, b, 124, 12);
        } else {
            put(b, 124, String.format("%011o", size));
        }
        put(b, 136, "00000000000");
        b[156] = (byte) type;
        put(b, 257, "ustar");
        put(b, 263, "00");
        Arrays.fill(b, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte x : b) {
            sum += x & 0xff;
        }
        put(b, 148, String.format("%06o", sum));
        b[154] = 0;
        return b;
    }

    static void put(byte[] b, int off, String s) {
        byte[] v = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(v, 0, b, off, v.length);
    }

    static byte[] pax(String... records) {
        StringBuilder body = new StringBuilder();
        for (String r : records) {
            int len = r.length() + 3;
            String rec = len + " " + r + "\n";
            if (rec.length() != len) {
                rec = rec.length() + " " + r + "\n";
            }
            body.append(rec);
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] tar(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
            out.writeBytes(new byte[(512 - p.length % 512) % 512]);
        }
        return out.toByteArray();
    }

    @Test
    void paxSizeOverridesTheHeaderSizeForEntriesBeyondTheOctalRange() throws Exception {
        byte[] body = pax("size=9000000000", "path=parts/p/" + "x".repeat(200));
        TarReader r = new TarReader(new ByteArrayInputStream(tar(header("PaxHeaders/x", 'x', body.length, null), body,
                header("short", '0', 0, null), "abc".getBytes(StandardCharsets.UTF_8))));
        TarReader.Header h = r.next();
        assertThat(h.size()).isEqualTo(9_000_000_000L);
        assertThat(h.name()).isEqualTo("parts/p/" + "x".repeat(200));
        byte[] buf = new byte[8192];
        assertThatThrownBy(() -> {
            while (r.read(buf, 0, buf.length) >= 0) {
                // read until the stream runs out
            }
        }).isInstanceOf(EOFException.class).hasMessageContaining("bytes missing");
    }

    @Test
    void base256SizesAreReadAndNegativeOnesRefused() throws Exception {
        byte[] big = new byte[12];
        big[0] = (byte) 0x80;
        big[11] = 3;
        TarReader r = new TarReader(new ByteArrayInputStream(tar(header("a", '0', 0, big), new byte[] {1, 2, 3},
                new byte[1024])));
        assertThat(r.next().size()).isEqualTo(3);
        assertThat(r.next()).isNull();
        assertThat(r.sawEndMarker()).isTrue();

        byte[] negative = new byte[12];
        Arrays.fill(negative, (byte) 0xff);
        TarReader n = new TarReader(new ByteArrayInputStream(tar(header("a", '0', 0, negative))));
        assertThatThrownBy(n::next).hasMessageContaining("negative or too large");
    }

    @Test
    void malformedPaxRecordsAndSparseHeadersAreRefused() {
        byte[] badLength = "99 path=x\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> new TarReader(new ByteArrayInputStream(tar(header("P", 'x', badLength.length, null),
                badLength, header("a", '0', 0, null)))).next()).hasMessageContaining("malformed PAX header");
        byte[] sparse = pax("GNU.sparse.size=10");
        assertThatThrownBy(() -> new TarReader(new ByteArrayInputStream(tar(header("P", 'x', sparse.length, null),
                sparse, header("a", '0', 0, null)))).next()).hasMessageContaining("sparse file PAX header");
        byte[] dup = pax("path=a", "path=b");
        assertThatThrownBy(() -> new TarReader(new ByteArrayInputStream(tar(header("P", 'x', dup.length, null),
                dup, header("a", '0', 0, null)))).next()).hasMessageContaining("duplicate PAX key 'path'");
    }

    @Test
    void aStreamThatStopsAtARecordBoundaryHasNoEndMarker() throws Exception {
        TarReader r = new TarReader(new ByteArrayInputStream(tar(header("a", '0', 1, null), new byte[] {7})));
        assertThat(r.next().name()).isEqualTo("a");
        assertThat(r.next()).isNull();
        assertThat(r.sawEndMarker()).isFalse();
    }

    @Test
    void invalidUtf8NamesAreRefused() {
        byte[] h = header("a", '0', 0, null);
        h[0] = (byte) 0xc3; // a lone lead byte
        h[1] = 0;
        int sum = 0;
        Arrays.fill(h, 148, 156, (byte) ' ');
        for (byte x : h) {
            sum += x & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        assertThatThrownBy(() -> new TarReader(new ByteArrayInputStream(tar(h))).next())
                .hasMessageContaining("not valid UTF-8");
    }
}
