package dev.keepsake.http.internal.upload;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MultipartParserTest {

    private static final String BOUNDARY = "----KeepsakeBoundary7MA4YWxkTrZu0gW";

    /** Collects the parts the parser reports. */
    private static final class Collector implements MultipartParser.Handler {
        final List<MultipartParser.PartHeaders> headers = new ArrayList<>();
        final List<ByteArrayOutputStream> bodies = new ArrayList<>();
        int ended;

        @Override
        public void partStarted(MultipartParser.PartHeaders h) {
            headers.add(h);
            bodies.add(new ByteArrayOutputStream());
        }

        @Override
        public void partData(byte[] data, int offset, int length) {
            bodies.get(bodies.size() - 1).write(data, offset, length);
        }

        @Override
        public void partEnded() {
            ended++;
        }
    }

    private static byte[] body(byte[] file, boolean withPreamble) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String head = (withPreamble ? "This is a preamble.\r\n" : "")
                + "--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"comment\"\r\n\r\n"
                + "hello\r\n"
                + "--" + BOUNDARY + "  \r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"back\\\"up.tgz\"\r\n"
                + "Content-Type: application/gzip\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(file);
        out.writeBytes(("\r\n--" + BOUNDARY + "--\r\nepilogue").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** Bytes that contain near-misses of the delimiter: CRLF, CRLF--, CRLF--<prefix of boundary>. */
    private static byte[] trickyFile(int size, long seed) {
        Random r = new Random(seed);
        byte[] near = ("\r\n--" + BOUNDARY.substring(0, BOUNDARY.length() - 1)).getBytes(StandardCharsets.ISO_8859_1);
        byte[] b = new byte[size];
        r.nextBytes(b);
        for (int i = 0; i + near.length < size; i += 997) {
            int len = 1 + r.nextInt(near.length);
            System.arraycopy(near, 0, b, i, len);
        }
        return b;
    }

    private static Collector parse(byte[] body, long seed, int maxChunk) throws IOException {
        Collector c = new Collector();
        MultipartParser p = new MultipartParser(BOUNDARY, 16 * 1024, c);
        Random r = new Random(seed);
        int off = 0;
        while (off < body.length) {
            int n = Math.min(body.length - off, 1 + r.nextInt(maxChunk));
            p.feed(body, off, n);
            off += n;
        }
        p.finish();
        return c;
    }

    @Test
    void partsSurviveEverySplitOfTheStreamIncludingNearMissDelimitersInTheData() throws IOException {
        byte[] file = trickyFile(300_000, 42);
        byte[] body = body(file, true);
        for (int maxChunk : new int[]{1, 2, 7, 70, 4096, 200_000}) {
            Collector c = parse(body, maxChunk, maxChunk);
            assertThat(c.headers).extracting(MultipartParser.PartHeaders::name).containsExactly("comment", "file");
            assertThat(c.headers.get(1).filename()).isEqualTo("back\"up.tgz");
            assertThat(c.headers.get(1).contentType()).isEqualTo("application/gzip");
            assertThat(c.bodies.get(0).toString(StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(c.bodies.get(1).toByteArray()).as("file with chunks of at most %d", maxChunk).isEqualTo(file);
            assertThat(c.ended).isEqualTo(2);
        }
    }

    @Test
    void bodyWithoutPreambleAndEmptyFileParses() throws IOException {
        Collector c = parse(body(new byte[0], false), 1, 5);
        assertThat(c.bodies.get(1).size()).isZero();
    }

    @Test
    void truncatedBodyIsReportedAsIncomplete() throws IOException {
        byte[] body = body(trickyFile(10_000, 1), false);
        for (int cut : new int[]{0, 10, 200, 5_000, body.length - 12}) {
            Collector c = new Collector();
            MultipartParser p = new MultipartParser(BOUNDARY, 16 * 1024, c);
            p.feed(body, 0, cut);
            assertThatThrownBy(p::finish).as("cut at %d", cut)
                    .isInstanceOf(MultipartParser.MalformedMultipartException.class);
        }
    }

    @Test
    void hugePartHeadersAreRefusedWithoutBufferingThem() throws IOException {
        Collector c = new Collector();
        MultipartParser p = new MultipartParser(BOUNDARY, 1024, c);
        p.feed(("--" + BOUNDARY + "\r\nX-Junk: ").getBytes(StandardCharsets.ISO_8859_1), 0, BOUNDARY.length() + 12);
        byte[] junk = new byte[4096];
        java.util.Arrays.fill(junk, (byte) 'a');
        assertThatThrownBy(() -> p.feed(junk, 0, junk.length))
                .isInstanceOf(MultipartParser.MalformedMultipartException.class)
                .hasMessageContaining("exceed 1024 bytes");
    }

    @Test
    void boundaryIsReadFromTheContentType() throws IOException {
        assertThat(MultipartParser.boundaryOf("multipart/form-data; boundary=abc")).contains("abc");
        assertThat(MultipartParser.boundaryOf("Multipart/Form-Data;charset=utf-8; BOUNDARY=\"a b;c\""))
                .contains("a b;c");
        assertThat(MultipartParser.boundaryOf("application/json")).isEmpty();
        assertThat(MultipartParser.boundaryOf(null)).isEmpty();
        assertThatThrownBy(() -> MultipartParser.boundaryOf("multipart/form-data"))
                .isInstanceOf(MultipartParser.MalformedMultipartException.class);
        assertThatThrownBy(() -> MultipartParser.boundaryOf("multipart/form-data; boundary=" + "x".repeat(71)))
                .isInstanceOf(MultipartParser.MalformedMultipartException.class);
    }

    @Test
    void bodyWithoutTheAnnouncedBoundaryIsMalformed() throws IOException {
        Collector c = new Collector();
        MultipartParser p = new MultipartParser(BOUNDARY, 1024, c);
        byte[] b = "just some text, no parts".getBytes(StandardCharsets.UTF_8);
        p.feed(b, 0, b.length);
        assertThatThrownBy(p::finish).hasMessageContaining("no multipart part");
        assertThat(c.headers).isEmpty();
    }
}
