package dev.keepsake.core.internal.compress;

import dev.keepsake.core.ArchiveFormat;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Walks the compressed units of an archive — gzip members by the lengths their headers record ({@link GzipMembers}),
 * zstd frames by their frame and block headers ({@link ZstdFrames}) — without inflating anything: it checks that the
 * stream has the form Keepsake writes, hashes (SHA-256) every compressed byte before the mark that starts the
 * manifest, and adds up an upper bound of the uncompressed size. Fed incrementally ({@link #update}), so the same walk
 * serves the first pass (reading the file) and the second (under the decompressor, {@link WalkingInputStream}).
 *
 * <p>Not thread-safe; {@link #dataEnd()} and {@link #dataSha256()} may be read by another thread once a happens-before
 * edge exists (e.g. the decompressed bytes after the mark were handed over).
 */
public abstract class CompressedUnits {

    private final MessageDigest digest;
    /** The bytes of the unit header (or header field) being collected. */
    protected final byte[] field = new byte[32];
    private int need;
    private int have;
    /** Body bytes still to pass before the next field. */
    private long skip;
    private long position;
    private long unitStart;
    private volatile long dataEnd = -1;
    private volatile byte[] dataSha256;
    private long units;
    private long unitsAfterMark;
    private long uncompressedBound;

    protected CompressedUnits() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    /** A walker for {@code format}. */
    public static CompressedUnits of(ArchiveFormat format) {
        return format == ArchiveFormat.ZSTD ? new ZstdFrames() : new GzipMembers();
    }

    /** Walks the next {@code len} bytes of the stream. */
    public final void update(byte[] b, int off, int len) throws CompressedFormException {
        int end = off + len;
        while (off < end) {
            if (skip > 0) {
                int n = (int) Math.min(skip, end - off);
                if (dataEnd < 0) {
                    digest.update(b, off, n);
                }
                body(b, off, n, skip);
                skip -= n;
                off += n;
                position += n;
                if (skip == 0) {
                    bodyDone();
                }
            } else {
                if (need == 0) {
                    startUnit();
                }
                int n = Math.min(need - have, end - off);
                System.arraycopy(b, off, field, have, n);
                have += n;
                off += n;
                position += n;
                if (have == need) {
                    need = 0;
                    have = 0;
                    fieldDone();
                }
            }
        }
    }

    /**
     * At the end of the stream: checks that it ends after a complete unit and that the manifest was marked.
     *
     * @throws CompressedFormException when it ends inside a unit or without the mark
     */
    public final void finish() throws CompressedFormException {
        if (have > 0 && !startsUnit(field, have)) {
            throw noUnit("no " + unitName() + " starts");
        }
        if (skip > 0 || have > 0 || !betweenUnits()) {
            throw new CompressedFormException(CompressedFormException.Kind.INCOMPLETE, "the stream ends inside "
                    + unitName() + " " + (units + 1) + " at offset " + position);
        }
        if (dataEnd < 0) {
            throw new CompressedFormException(CompressedFormException.Kind.NO_MANIFEST_MARK, "no " + unitName()
                    + " marks the manifest");
        }
        if (unitsAfterMark == 0) {
            throw new CompressedFormException(CompressedFormException.Kind.INCOMPLETE, "the stream ends at the mark"
                    + " of the manifest");
        }
    }

    /** Where the mark of the manifest starts (the size of the data), or -1 while none was walked. */
    public final long dataEnd() {
        return dataEnd;
    }

    /** The SHA-256 of the compressed bytes before {@link #dataEnd()}, or null while none was walked. */
    public final byte[] dataSha256() {
        byte[] s = dataSha256;
        return s == null ? null : s.clone();
    }

    /** An upper bound of the bytes the units walked so far decompress to (exact for gzip). */
    public final long uncompressedBound() {
        return uncompressedBound;
    }

    /** Bytes walked so far. */
    public final long position() {
        return position;
    }

    // ---- for the formats ----

    /** "gzip member" or "zstd frame", for messages. */
    abstract String unitName();

    /**
     * Whether the first {@code length} bytes of the field being collected (cut off by the end of the stream) may
     * start a unit; only asked while collecting a unit's first field.
     */
    abstract boolean startsUnit(byte[] field, int length);

    /** Called when a new unit starts (no field pending, no body to skip): ask for its first field. */
    abstract void startUnit();

    /** The field asked for with {@link #expect} is complete in {@link #field}. */
    abstract void fieldDone() throws CompressedFormException;

    /** Whether the walk is between two units (where the stream may end). */
    abstract boolean betweenUnits();

    /** Body bytes passing ({@code remaining} before these, including them). Default: nothing. */
    void body(byte[] b, int off, int n, long remaining) {
    }

    /** The body asked for with {@link #skipBody} has passed. */
    abstract void bodyDone() throws CompressedFormException;

    /** Asks for the next {@code n} bytes (at most 32) as a field. */
    final void expect(int n) {
        need = n;
        have = 0;
    }

    /** Lets the next {@code n} bytes pass as a body (hashed while before the mark); then {@link #bodyDone()}. */
    final void skipBody(long n) throws CompressedFormException {
        if (n == 0) {
            bodyDone();
        } else {
            skip = n;
        }
    }

    /** Marks the start of a unit (at the first byte of the field just completed, of {@code length} bytes). */
    final void unitStarts(int length) {
        unitStart = position - length;
    }

    /** Hashes the field just completed when it lies before the mark (the mark's own bytes are not data). */
    final void hashField(int length) {
        if (dataEnd < 0) {
            digest.update(field, 0, length);
        }
    }

    /** The unit that started at {@link #unitStarts} is the manifest's mark: the data ends where it starts. */
    final void markManifest() throws CompressedFormException {
        if (dataEnd >= 0) {
            throw damaged(CompressedFormException.Kind.FOREIGN, "a second mark of the manifest at offset " + unitStart);
        }
        dataEnd = unitStart;
        dataSha256 = digest.digest();
    }

    /** A unit ended; {@code bound} is at most what it decompresses to. */
    final void unitDone(long bound) {
        units++;
        if (dataEnd >= 0) {
            unitsAfterMark++;
        }
        uncompressedBound += bound;
    }

    final boolean marked() {
        return dataEnd >= 0;
    }

    /** Units completed after the mark. */
    final long unitsAfterMark() {
        return unitsAfterMark;
    }

    final long units() {
        return units;
    }

    final long unitStart() {
        return unitStart;
    }

    /** What to throw for a unit header that makes no sense at the current unit. */
    final CompressedFormException damaged(CompressedFormException.Kind kind, String detail) {
        return new CompressedFormException(kind, detail);
    }

    /**
     * What to throw when no unit starts where one must: after the manifest's units that is data after the end of the
     * stream, before it damage.
     */
    final CompressedFormException noUnit(String detail) {
        return new CompressedFormException(unitsAfterMark > 0 ? CompressedFormException.Kind.TRAILING_DATA
                : CompressedFormException.Kind.DAMAGED, detail + " at offset " + unitStart);
    }

    static int intLe(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }
}
