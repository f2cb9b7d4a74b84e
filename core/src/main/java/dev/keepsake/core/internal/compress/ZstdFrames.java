package dev.keepsake.core.internal.compress;

/**
 * The zstd form Keepsake writes ({@link ZstdFramedOutputStream}): the data in zstd frames, then the marker — a
 * skippable frame (RFC 8878 §3.1.2, ignored by every zstd reader) with magic {@code 0x184D2A5B} and the payload
 * {@code "KM"} — then one frame for the manifest, signature and tar end. The walk reads each frame's header (descriptor, window, dictionary id,
 * content size), then block header by block header (3 bytes: last-block flag, type, size) to the frame's end and its
 * optional checksum; the uncompressed bound adds each raw or RLE block's size and each compressed block's maximum
 * (the smaller of the window and 128 KiB). Dictionaries, other skippable frames, reserved bits and block types, and
 * blocks larger than the format allows are refused.
 */
final class ZstdFrames extends CompressedUnits {

    static final int FRAME_MAGIC = 0xFD2FB528;
    /** The skippable frame that marks the start of the manifest. */
    static final int MARKER_MAGIC = 0x184D2A5B;
    /** The marker's payload. */
    static final byte[] MARKER_PAYLOAD = {'K', 'M'};
    /** The complete marker frame: magic, payload length, payload (little-endian). */
    static final byte[] MARKER = {0x5B, 0x2A, 0x4D, 0x18, 2, 0, 0, 0, 'K', 'M'};
    static final int MAX_BLOCK_SIZE = 128 * 1024;
    private static final int[] DICTIONARY_ID_BYTES = {0, 1, 2, 4};
    private static final int[] CONTENT_SIZE_BYTES = {0, 2, 4, 8};

    private enum State { MAGIC, DESCRIPTOR, FRAME_HEADER, BLOCK_HEADER, CHECKSUM, SKIPPABLE_SIZE, MARKER_PAYLOAD }

    private State state;
    private boolean checksum;
    private boolean singleSegment;
    private long blockMaximum;
    private long frameBound;
    private boolean lastBlock;
    private int restLength;
    private int contentSizeLength;

    @Override
    String unitName() {
        return "zstd frame";
    }

    @Override
    void startUnit() {
        state = State.MAGIC;
        expect(4);
    }

    @Override
    boolean startsUnit(byte[] field, int length) {
        if (state != State.MAGIC) {
            return true;
        }
        for (int i = 0; i < length; i++) {
            if (field[i] != (byte) (FRAME_MAGIC >>> (8 * i)) && field[i] != (byte) (MARKER_MAGIC >>> (8 * i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    boolean betweenUnits() {
        return state == null;
    }

    @Override
    void fieldDone() throws CompressedFormException {
        switch (state) {
            case MAGIC -> magic();
            case DESCRIPTOR -> descriptor();
            case FRAME_HEADER -> frameHeader();
            case BLOCK_HEADER -> blockHeader();
            case CHECKSUM -> {
                hashField(4);
                frameDone();
            }
            case SKIPPABLE_SIZE -> {
                if (intLe(field, 0) != MARKER_PAYLOAD.length) {
                    throw damaged(CompressedFormException.Kind.DAMAGED, "the manifest's marker at offset "
                            + unitStart() + " has a payload of " + Integer.toUnsignedString(intLe(field, 0))
                            + " bytes, not " + MARKER_PAYLOAD.length);
                }
                state = State.MARKER_PAYLOAD;
                expect(MARKER_PAYLOAD.length);
            }
            case MARKER_PAYLOAD -> {
                if (field[0] != MARKER_PAYLOAD[0] || field[1] != MARKER_PAYLOAD[1]) {
                    throw damaged(CompressedFormException.Kind.DAMAGED, "the manifest's marker at offset "
                            + unitStart() + " has another payload");
                }
                state = null;
            }
            default -> throw new IllegalStateException(String.valueOf(state));
        }
    }

    private void magic() throws CompressedFormException {
        unitStarts(4);
        int magic = intLe(field, 0);
        if (magic == FRAME_MAGIC && unitsAfterMark() > 0) {
            // the manifest, the signature and the tar end are one frame
            throw damaged(CompressedFormException.Kind.TRAILING_DATA, "a second zstd frame after the manifest's, at "
                    + "offset " + unitStart());
        } else if (magic == FRAME_MAGIC) {
            hashField(4);
            state = State.DESCRIPTOR;
            expect(1);
        } else if (magic == MARKER_MAGIC) {
            markManifest();
            state = State.SKIPPABLE_SIZE;
            expect(4);
        } else if ((magic & 0xFFFFFFF0) == 0x184D2A50) {
            throw damaged(marked() ? CompressedFormException.Kind.TRAILING_DATA : CompressedFormException.Kind.FOREIGN,
                    "a skippable frame of another writer (magic 0x" + Integer.toHexString(magic) + ") at offset "
                            + unitStart());
        } else {
            throw noUnit("no zstd frame starts");
        }
    }

    private void descriptor() throws CompressedFormException {
        hashField(1);
        int d = field[0] & 0xff;
        if ((d & 0x08) != 0) {
            throw frameProblem("sets the reserved bit of its frame header");
        }
        if ((d & 0x03) != 0) {
            throw damaged(CompressedFormException.Kind.FOREIGN, "zstd frame " + (units() + 1) + " at offset "
                    + unitStart() + " needs a dictionary");
        }
        singleSegment = (d & 0x20) != 0;
        checksum = (d & 0x04) != 0;
        int contentSizeBytes = CONTENT_SIZE_BYTES[d >>> 6];
        if (singleSegment && contentSizeBytes == 0) {
            contentSizeBytes = 1;
        }
        int rest = (singleSegment ? 0 : 1) + contentSizeBytes;
        state = State.FRAME_HEADER;
        frameBound = 0;
        restLength = rest; // at least 1: the window descriptor or the content size
        contentSizeLength = contentSizeBytes;
        expect(rest);
    }

    private void frameHeader() throws CompressedFormException {
        hashField(restLength);
        long window;
        if (singleSegment) {
            long size = 0;
            for (int i = contentSizeLength - 1; i >= 0; i--) {
                size = (size << 8) | (field[i] & 0xff);
            }
            window = contentSizeLength == 2 ? size + 256 : size;
        } else {
            int w = field[0] & 0xff;
            int log = 10 + (w >>> 3);
            long base = 1L << log;
            window = base + (base / 8) * (w & 7);
        }
        blockMaximum = Math.min(Math.max(window, 1), MAX_BLOCK_SIZE);
        startBlock();
    }

    private void startBlock() {
        state = State.BLOCK_HEADER;
        expect(3);
    }

    private void blockHeader() throws CompressedFormException {
        hashField(3);
        int h = (field[0] & 0xff) | (field[1] & 0xff) << 8 | (field[2] & 0xff) << 16;
        lastBlock = (h & 1) != 0;
        int type = (h >>> 1) & 3;
        int size = h >>> 3;
        if (type == 3) {
            throw frameProblem("has a block of the reserved type");
        }
        if (size > blockMaximum) {
            throw frameProblem("has a block of " + size + " bytes, more than its maximum of " + blockMaximum);
        }
        frameBound += type == 2 ? blockMaximum : size;
        skipBody(type == 1 ? 1 : size);
    }

    @Override
    void bodyDone() {
        if (!lastBlock) {
            startBlock();
        } else if (checksum) {
            state = State.CHECKSUM;
            expect(4);
        } else {
            frameDone();
        }
    }

    private void frameDone() {
        state = null;
        unitDone(frameBound);
    }

    private CompressedFormException frameProblem(String problem) {
        return damaged(CompressedFormException.Kind.DAMAGED, "zstd frame " + (units() + 1) + " at offset "
                + unitStart() + " " + problem);
    }
}
