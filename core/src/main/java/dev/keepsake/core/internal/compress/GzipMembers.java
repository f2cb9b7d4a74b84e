package dev.keepsake.core.internal.compress;

/**
 * The gzip form Keepsake writes ({@link ParallelGzipOutputStream}): members whose header carries an extra subfield
 * {@code 'K','S'} with the member's total length, the member that starts the manifest marked {@code 'K','M'}
 * instead. The walk goes from header to header by those lengths and reads each member's uncompressed size from its
 * trailer (ISIZE); a member of another form (another gzip writer's), a length out of range or anything but a member
 * where one must start is refused.
 */
final class GzipMembers extends CompressedUnits {

    private static final int HEADER_LENGTH = ParallelGzipOutputStream.HEADER.length;
    private static final int TRAILER_LENGTH = 8;
    /** The longest member accepted (what {@link MemberGzipInputStream} accepts). */
    static final long MAX_MEMBER_LENGTH = MemberGzipInputStream.MAX_MEMBER_LENGTH;

    private final byte[] trailer = new byte[TRAILER_LENGTH];
    private boolean inHeader;

    @Override
    String unitName() {
        return "gzip member";
    }

    @Override
    void startUnit() {
        inHeader = true;
        expect(HEADER_LENGTH);
    }

    @Override
    boolean startsUnit(byte[] field, int length) {
        return !inHeader || (field[0] & 0xff) == 0x1f && (length < 2 || (field[1] & 0xff) == 0x8b);
    }

    @Override
    boolean betweenUnits() {
        return !inHeader;
    }

    @Override
    void fieldDone() throws CompressedFormException {
        inHeader = false;
        unitStarts(HEADER_LENGTH);
        byte[] h = field;
        if ((h[0] & 0xff) != 0x1f || (h[1] & 0xff) != 0x8b) {
            throw noUnit("no gzip member starts");
        }
        if (!MemberGzipInputStream.startsMember(h, HEADER_LENGTH)) {
            throw damaged(marked() ? CompressedFormException.Kind.TRAILING_DATA : CompressedFormException.Kind.FOREIGN,
                    "gzip member " + (units() + 1) + " at offset " + unitStart() + " does not record its length");
        }
        if (h[ParallelGzipOutputStream.SUBFIELD_AT + 1] == ParallelGzipOutputStream.MANIFEST_MARK[1]) {
            markManifest();
        } else {
            hashField(HEADER_LENGTH);
        }
        long length = intLe(h, ParallelGzipOutputStream.LENGTH_AT) & 0xffffffffL;
        if (length < HEADER_LENGTH + TRAILER_LENGTH || length > MAX_MEMBER_LENGTH) {
            throw damaged(CompressedFormException.Kind.DAMAGED, "gzip member " + (units() + 1) + " at offset "
                    + unitStart() + " claims a length of " + length + " bytes, outside "
                    + (HEADER_LENGTH + TRAILER_LENGTH) + "-" + MAX_MEMBER_LENGTH);
        }
        skipBody(length - HEADER_LENGTH);
    }

    @Override
    void body(byte[] b, int off, int n, long remaining) {
        // the last 8 bytes of the member are its trailer (CRC-32, ISIZE)
        long after = remaining - n;
        if (after < TRAILER_LENGTH) {
            int from = (int) Math.max(0, remaining - TRAILER_LENGTH); // offset in this slice of the first trailer byte
            int at = (int) Math.max(0, TRAILER_LENGTH - remaining);   // its index in the trailer
            System.arraycopy(b, off + from, trailer, at, n - from);
        }
    }

    @Override
    void bodyDone() throws CompressedFormException {
        long size = intLe(trailer, 4) & 0xffffffffL;
        if (size > MemberGzipInputStream.MAX_MEMBER_OUTPUT) {
            throw damaged(CompressedFormException.Kind.DAMAGED, "gzip member " + (units() + 1) + " at offset "
                    + unitStart() + " claims to expand to " + size + " bytes, more than "
                    + MemberGzipInputStream.MAX_MEMBER_OUTPUT);
        }
        unitDone(size);
    }
}
