package dev.keepsake.http.internal.upload;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A push parser for {@code multipart/form-data} (RFC 7578 / RFC 2046) that never holds more than one buffer
 * (64 KiB plus the part-header limit) whatever the size of the parts: bytes are fed as they arrive and part content
 * is handed to a {@link Handler} in pieces. Not thread-safe: one feeder at a time.
 */
public final class MultipartParser {

    /** Receives the parts. Exceptions it throws propagate out of {@link #feed} and {@link #finish}. */
    public interface Handler {
        void partStarted(PartHeaders headers) throws IOException;

        void partData(byte[] data, int offset, int length) throws IOException;

        void partEnded() throws IOException;
    }

    /**
     * The headers of one part that matter here.
     *
     * @param name        the form field name from {@code Content-Disposition}, or {@code null}
     * @param filename    the file name from {@code Content-Disposition}, or {@code null}
     * @param contentType the part's {@code Content-Type}, or {@code null}
     */
    public record PartHeaders(String name, String filename, String contentType) {
    }

    /** The body is not well-formed multipart. The message is safe to show to the client. */
    public static final class MalformedMultipartException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedMultipartException(String message) {
            super(message);
        }
    }

    private enum State { PREAMBLE, AFTER_DELIMITER, DELIMITER_LINE, HEADERS, BODY, EPILOGUE }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] CRLFCRLF = {'\r', '\n', '\r', '\n'};
    private static final int CHUNK = 64 * 1024;

    private final byte[] delimiter;
    private final int maxHeaderBytes;
    private final Handler handler;
    private final byte[] buf;
    private int len;
    private State state = State.PREAMBLE;

    /**
     * @param boundary       the boundary from the {@code Content-Type} (1–70 characters)
     * @param maxHeaderBytes the largest accepted header block of one part
     */
    public MultipartParser(String boundary, int maxHeaderBytes, Handler handler) {
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.maxHeaderBytes = maxHeaderBytes;
        this.handler = handler;
        this.buf = new byte[CHUNK + maxHeaderBytes + delimiter.length + 8];
        // The first delimiter may come without a preceding CRLF: pretend there was one.
        buf[0] = '\r';
        buf[1] = '\n';
        len = 2;
    }

    /**
     * The boundary parameter of a {@code multipart/form-data} content type.
     *
     * @return empty when the type is not {@code multipart/form-data}
     * @throws MalformedMultipartException when it is, but the boundary is missing or invalid
     */
    public static Optional<String> boundaryOf(String contentType) throws MalformedMultipartException {
        if (contentType == null) {
            return Optional.empty();
        }
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
        if (!type.equals("multipart/form-data")) {
            return Optional.empty();
        }
        String boundary = semi < 0 ? null : parameters(contentType.substring(semi + 1)).get("boundary");
        if (boundary == null || boundary.isEmpty() || boundary.length() > 70
                || !boundary.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new MalformedMultipartException("The multipart/form-data Content-Type has no valid boundary "
                    + "parameter (1-70 printable ASCII characters).");
        }
        return Optional.of(boundary);
    }

    /** Whether the closing delimiter has been seen. */
    public boolean isComplete() {
        return state == State.EPILOGUE;
    }

    /** Feeds the next bytes of the body. */
    public void feed(byte[] data, int offset, int length) throws IOException {
        while (length > 0) {
            int n = Math.min(length, buf.length - len);
            if (n == 0) {
                // only possible while reading part headers, which are then too large
                throw new MalformedMultipartException("The headers of a multipart part exceed " + maxHeaderBytes
                        + " bytes.");
            }
            System.arraycopy(data, offset, buf, len, n);
            len += n;
            offset += n;
            length -= n;
            process();
        }
    }

    /**
     * Declares the end of the body.
     *
     * @throws MalformedMultipartException when the closing delimiter was not seen (a truncated upload)
     */
    public void finish() throws IOException {
        if (state != State.EPILOGUE) {
            throw new MalformedMultipartException(state == State.PREAMBLE
                    ? "The body contains no multipart part with the boundary announced in its Content-Type."
                    : "The multipart body ended before its closing boundary: the upload is incomplete.");
        }
    }

    private void process() throws IOException {
        while (true) {
            switch (state) {
                case PREAMBLE, BODY -> {
                    int idx = indexOf(buf, 0, len, delimiter);
                    if (idx >= 0) {
                        emit(idx);
                        consume(idx + delimiter.length);
                        if (state == State.BODY) {
                            handler.partEnded();
                        }
                        state = State.AFTER_DELIMITER;
                    } else {
                        int safe = len - (delimiter.length - 1);
                        if (safe > 0) {
                            emit(safe);
                            consume(safe);
                        }
                        return;
                    }
                }
                case AFTER_DELIMITER -> {
                    if (len < 2) {
                        return;
                    }
                    if (buf[0] == '-' && buf[1] == '-') {
                        consume(2);
                        state = State.EPILOGUE;
                    } else {
                        state = State.DELIMITER_LINE;
                    }
                }
                case DELIMITER_LINE -> {
                    int idx = indexOf(buf, 0, len, CRLF);
                    if (idx < 0) {
                        if (len > 256) {
                            throw new MalformedMultipartException("A multipart boundary line is malformed.");
                        }
                        return;
                    }
                    for (int i = 0; i < idx; i++) {
                        if (buf[i] != ' ' && buf[i] != '\t') {
                            throw new MalformedMultipartException("A multipart boundary line is malformed.");
                        }
                    }
                    consume(idx + 2);
                    state = State.HEADERS;
                }
                case HEADERS -> {
                    int end;
                    int skip;
                    if (len >= 2 && buf[0] == '\r' && buf[1] == '\n') {
                        end = 0;
                        skip = 2;
                    } else {
                        end = indexOf(buf, 0, Math.min(len, maxHeaderBytes + 4), CRLFCRLF);
                        if (end < 0) {
                            if (len >= maxHeaderBytes + 4) {
                                throw new MalformedMultipartException("The headers of a multipart part exceed "
                                        + maxHeaderBytes + " bytes.");
                            }
                            return;
                        }
                        skip = end + 4;
                    }
                    PartHeaders headers = parseHeaders(new String(buf, 0, end, StandardCharsets.UTF_8));
                    consume(skip);
                    state = State.BODY;
                    handler.partStarted(headers);
                }
                case EPILOGUE -> {
                    len = 0;
                    return;
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
    }

    private void emit(int n) throws IOException {
        if (state == State.BODY && n > 0) {
            handler.partData(buf, 0, n);
        }
    }

    private void consume(int n) {
        System.arraycopy(buf, n, buf, 0, len - n);
        len -= n;
    }

    static int indexOf(byte[] a, int from, int to, byte[] needle) {
        byte first = needle[0];
        int last = to - needle.length;
        outer:
        for (int i = from; i <= last; i++) {
            if (a[i] != first) {
                continue;
            }
            for (int j = 1; j < needle.length; j++) {
                if (a[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static PartHeaders parseHeaders(String block) {
        String name = null;
        String filename = null;
        String contentType = null;
        for (String line : block.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String key = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            if (key.equals("content-disposition")) {
                int semi = value.indexOf(';');
                if (semi >= 0) {
                    Map<String, String> p = parameters(value.substring(semi + 1));
                    name = p.get("name");
                    filename = p.get("filename");
                }
            } else if (key.equals("content-type")) {
                contentType = value;
            }
        }
        return new PartHeaders(name, filename, contentType);
    }

    /** Parses {@code ; a=b; c="d \" e"} parameters; names lower-cased, quoted values unescaped. */
    static Map<String, String> parameters(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && (s.charAt(i) == ';' || Character.isWhitespace(s.charAt(i)))) {
                i++;
            }
            int eq = s.indexOf('=', i);
            int semi = s.indexOf(';', i);
            if (eq < 0 || (semi >= 0 && semi < eq)) {
                i = semi < 0 ? n : semi + 1; // a parameter without a value: skip it
                continue;
            }
            String key = s.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            i = eq + 1;
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && s.charAt(i) == '"') {
                i++;
                while (i < n && s.charAt(i) != '"') {
                    char c = s.charAt(i);
                    if (c == '\\' && i + 1 < n) {
                        c = s.charAt(++i);
                    }
                    value.append(c);
                    i++;
                }
                i++; // closing quote
                while (i < n && s.charAt(i) != ';') {
                    i++;
                }
            } else {
                while (i < n && s.charAt(i) != ';') {
                    value.append(s.charAt(i));
                    i++;
                }
            }
            out.putIfAbsent(key, value.toString().strip());
        }
        return out;
    }
}
