package dev.keepsake.core.internal.archive;

import dev.keepsake.core.ArchiveVerificationException;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A strict, bounded reader for the tar streams Keepsake writes (POSIX ustar with PAX extended headers for long or
 * non-ASCII names, long link targets and big sizes). Unlike general tar readers it never buffers more than
 * {@link #MAX_PAX_BYTES} for a header, refuses what Keepsake never writes (GNU long-name and sparse headers, global
 * PAX headers, consecutive PAX headers, bad checksums, non-zero padding, a lone end record), and reports other entry
 * types (hard links, devices, FIFOs) to the caller, who refuses them. Not thread-safe. Internal.
 */
final class TarReader {

    static final int RECORD = 512;
    /** Largest PAX extended header accepted. */
    static final int MAX_PAX_BYTES = 1 << 20;

    static final byte REGULAR = '0';
    static final byte REGULAR_OLD = 0;
    static final byte DIRECTORY = '5';
    static final byte SYMLINK = '2';
    static final byte HARD_LINK = '1';
    private static final byte PAX = 'x';

    /** One entry's header. */
    record Header(String name, byte type, long size, String linkName) {
        boolean isRegular() {
            return type == REGULAR || type == REGULAR_OLD;
        }
    }

    private final InputStream in;
    private final byte[] record = new byte[RECORD];
    private long remaining;
    private int padding;
    private long position;
    private boolean endMarker;
    private boolean ended;

    TarReader(InputStream in) {
        this.in = in;
    }

    /** Whether the stream ended with the two zero records of a tar end-of-archive marker. */
    boolean sawEndMarker() {
        return endMarker;
    }

    /** Bytes of the tar stream consumed so far. */
    long position() {
        return position;
    }

    /**
     * Skips what is left of the current entry and reads the next header.
     *
     * @return the header, or null at the end of the archive (see {@link #sawEndMarker()}: false when the stream just
     *         stopped at a record boundary)
     */
    Header next() throws IOException {
        skipRest();
        if (ended) {
            return null;
        }
        Map<String, String> pax = null;
        while (true) {
            long at = position;
            int n = readRecord();
            if (n == 0) {
                ended = true;
                return null;
            }
            if (n < RECORD) {
                throw new EOFException("the tar stream ends inside a header");
            }
            if (isZero(record)) {
                if (pax != null) {
                    throw new TarFormatException("a PAX header is followed by the end of the archive");
                }
                int m = readRecord();
                if (m < RECORD || !isZero(record)) {
                    throw new TarFormatException("the tar end-of-archive marker at offset " + at + " is incomplete");
                }
                endMarker = true;
                ended = true;
                return null;
            }
            byte type = record[156];
            checkHeader(at, type);
            long size = number(124, 12, "size", at);
            if (type == PAX) {
                if (pax != null) {
                    throw new TarFormatException("two PAX headers in a row at offset " + at);
                }
                if (size > MAX_PAX_BYTES) {
                    throw new ArchiveVerificationException("The archive has a PAX header of " + size + " bytes (at "
                            + "most " + MAX_PAX_BYTES + " are accepted); it was tampered with or not made by Keepsake.");
                }
                byte[] body = new byte[(int) size];
                readContent(body);
                pax = parsePax(body, at);
                continue;
            }
            String name = pax != null && pax.containsKey("path") ? pax.get("path") : ustarName();
            String link = pax != null && pax.containsKey("linkpath") ? pax.get("linkpath") : string(157, 100);
            if (pax != null && pax.containsKey("size")) {
                size = paxNumber(pax.get("size"), at);
            }
            remaining = size;
            padding = (int) ((RECORD - size % RECORD) % RECORD);
            return new Header(name, type, size, link);
        }
    }

    /** Reads content of the current entry; -1 at its end. */
    int read(byte[] b, int off, int len) throws IOException {
        if (remaining == 0) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("the tar stream ends inside an entry (" + remaining + " bytes missing)");
        }
        remaining -= n;
        position += n;
        return n;
    }

    /**
     * Skips content of the current entry without handing it out (the stream below may skip without copying); -1 at
     * its end.
     */
    long skip(long n) throws IOException {
        if (remaining == 0) {
            return -1;
        }
        long s = in.skip(Math.min(n, remaining));
        if (s <= 0) {
            // skip() may return 0 at the end of the stream: a read tells
            if (in.read() < 0) {
                throw new EOFException("the tar stream ends inside an entry (" + remaining + " bytes missing)");
            }
            s = 1;
        }
        remaining -= s;
        position += s;
        return s;
    }

    /** Content bytes left in the current entry. */
    long remaining() {
        return remaining;
    }

    private void readContent(byte[] body) throws IOException {
        remaining = body.length;
        padding = (int) ((RECORD - body.length % RECORD) % RECORD);
        int off = 0;
        while (off < body.length) {
            off += read(body, off, body.length - off);
        }
        skipRest();
    }

    private void skipRest() throws IOException {
        byte[] skip = record;
        while (remaining > 0) {
            read(skip, 0, skip.length);
        }
        if (padding > 0) {
            int n = in.readNBytes(skip, 0, padding);
            position += n;
            if (n < padding) {
                throw new EOFException("the tar stream ends inside the padding of an entry");
            }
            for (int i = 0; i < padding; i++) {
                if (skip[i] != 0) {
                    throw new TarFormatException("non-zero padding after an entry at offset " + (position - padding + i));
                }
            }
            padding = 0;
        }
    }

    private int readRecord() throws IOException {
        int n = in.readNBytes(record, 0, RECORD);
        position += n;
        return n;
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private void checkHeader(long at, byte type) throws IOException {
        long stored = number(148, 8, "checksum", at);
        long sum = 0;
        for (int i = 0; i < RECORD; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (record[i] & 0xff);
        }
        if (sum != stored) {
            throw new TarFormatException("tar header checksum mismatch at offset " + at);
        }
        if (type == 'g' || type == 'L' || type == 'K' || type == 'S' || type == 'N' || type == 'V' || type == 'M') {
            throw new TarFormatException("tar header of type '" + (char) type + "' at offset " + at
                    + " (GNU or global extensions are never written by Keepsake)");
        }
        if (!(record[257] == 'u' && record[258] == 's' && record[259] == 't' && record[260] == 'a'
                && record[261] == 'r' && record[262] == 0)) {
            throw new TarFormatException("tar header at offset " + at + " is not a POSIX ustar header");
        }
    }

    /** An octal (or, when the high bit is set, base-256) number field. */
    private long number(int off, int len, String what, long at) throws IOException {
        if ((record[off] & 0x80) != 0) {
            if (record[off] != (byte) 0x80) {
                throw new TarFormatException("tar header " + what + " at offset " + at + " is negative or too large");
            }
            long v = 0;
            for (int i = off + 1; i < off + len; i++) {
                if ((v >>> 55) != 0) {
                    throw new TarFormatException("tar header " + what + " at offset " + at + " is too large");
                }
                v = (v << 8) | (record[i] & 0xff);
            }
            return v;
        }
        int i = off;
        int end = off + len;
        while (i < end && (record[i] == ' ' || record[i] == '0')) {
            i++;
        }
        long v = 0;
        for (; i < end && record[i] != 0 && record[i] != ' '; i++) {
            int d = record[i] - '0';
            if (d < 0 || d > 7 || (v >>> 60) != 0) {
                throw new TarFormatException("tar header " + what + " at offset " + at + " is not an octal number");
            }
            v = v * 8 + d;
        }
        return v;
    }

    private String ustarName() throws IOException {
        String name = string(0, 100);
        String prefix = string(345, 155);
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private String string(int off, int len) throws IOException {
        int end = off;
        while (end < off + len && record[end] != 0) {
            end++;
        }
        return utf8(record, off, end - off);
    }

    private static String utf8(byte[] b, int off, int len) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, off, len)).toString();
        } catch (CharacterCodingException e) {
            throw new TarFormatException("a tar name is not valid UTF-8", e);
        }
    }

    private static long paxNumber(String s, long at) throws IOException {
        if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new TarFormatException("PAX size '" + ManifestJson.abbreviate(s) + "' at offset " + at + " is invalid");
        }
        return Long.parseLong(s);
    }

    /** Parses {@code "<len> <key>=<value>\n"} records. */
    private static Map<String, String> parsePax(byte[] body, long at) throws IOException {
        Map<String, String> m = new HashMap<>();
        int pos = 0;
        while (pos < body.length) {
            int sp = pos;
            long len = 0;
            while (sp < body.length && body[sp] >= '0' && body[sp] <= '9' && len < body.length + 1L) {
                len = len * 10 + (body[sp] - '0');
                sp++;
            }
            if (sp == pos || sp >= body.length || body[sp] != ' ' || len <= sp - pos + 1 || pos + len > body.length
                    || body[(int) (pos + len - 1)] != '\n') {
                throw new TarFormatException("malformed PAX header at offset " + at);
            }
            int end = (int) (pos + len - 1);
            int eq = sp + 1;
            while (eq < end && body[eq] != '=') {
                eq++;
            }
            if (eq >= end) {
                throw new TarFormatException("malformed PAX record at offset " + at);
            }
            String key = utf8(body, sp + 1, eq - sp - 1);
            String value = utf8(body, eq + 1, end - eq - 1);
            if (key.startsWith("GNU.sparse")) {
                throw new TarFormatException("sparse file PAX header at offset " + at + " (never written by Keepsake)");
            }
            if (m.put(key, value) != null) {
                throw new TarFormatException("duplicate PAX key '" + ManifestJson.abbreviate(key) + "' at offset " + at);
            }
            pos = (int) (pos + len);
        }
        return m;
    }

    /** The description of a tar entry type for messages. */
    /** The tar structure is wrong (as opposed to the stream ending early). */
    static final class TarFormatException extends IOException {
        private static final long serialVersionUID = 1L;

        TarFormatException(String message) {
            super(message);
        }

        TarFormatException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static String describeType(byte type) {
        return switch (type) {
            case HARD_LINK -> "hard link";
            case '3' -> "character device";
            case '4' -> "block device";
            case '6' -> "FIFO";
            case '7' -> "contiguous file";
            default -> "type " + (type >= 32 && type < 127 ? "'" + (char) type + "'" : String.valueOf(type & 0xff));
        };
    }
}
