package dev.keepsake.core.internal.compress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Raw DEFLATE (RFC 1951) of one whole buffer, for gzip level 1: a greedy LZ77 parse with one hash probe per position
 * (4-byte minimum match, 32 KiB window, matches extended 8 bytes at a time), then, per block of
 * {@value #BLOCK_SYMBOLS} symbols, whichever of a dynamic-Huffman, a fixed-Huffman or a stored block is smallest
 * (incompressible data costs 5 bytes per 64 KiB, never more). Any inflater reads the output. Measured on the benchmark
 * data (pgbench rows and mixed types, 789 MB in 1 MiB buffers, one thread) it takes 0.9 s where zlib's level 1 takes
 * 2.0 s, and its output is 1% smaller; zlib stays the compressor for levels 2 to 9.
 *
 * <p>Not thread-safe: one instance per compressing thread (it holds its tables and is reused from buffer to buffer).
 */
final class GreedyDeflate {

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    static final int HASH_BITS = 15;
    static final int WINDOW = 32 * 1024;
    static final int MIN_MATCH = 4;
    static final int MAX_MATCH = 258;
    /** Symbols (literals and matches) per block: each block gets its own Huffman codes. */
    static final int BLOCK_SYMBOLS = 16 * 1024;
    private static final int MAX_BITS = 15;
    private static final int MAX_CODE_LENGTH_BITS = 7;
    private static final int LITERALS_AND_LENGTHS = 286;
    private static final int DISTANCES = 30;
    private static final int END_OF_BLOCK = 256;

    private static final int[] LENGTH_BASE = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
        67, 83, 99, 115, 131, 163, 195, 227, 258};
    private static final int[] LENGTH_EXTRA = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
        5, 5, 5, 5, 0};
    private static final int[] DISTANCE_BASE = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
        513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    private static final int[] DISTANCE_EXTRA = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10,
        10, 11, 11, 12, 12, 13, 13};
    /** Order in which the code-length code's lengths are sent. */
    private static final int[] CODE_LENGTH_ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    /** length - 3 → length code (0..28). */
    private static final byte[] LENGTH_CODE = new byte[256];
    /** distance - 1 → code, for distance - 1 < 256; 256 + ((distance - 1) >> 7) beyond (codes from 16 on span 128s). */
    private static final byte[] DISTANCE_CODE = new byte[512];
    private static final int[] FIXED_LITERAL_LENGTHS = new int[288];
    private static final int[] FIXED_LITERAL_CODES = new int[288];
    private static final int[] FIXED_DISTANCE_LENGTHS = new int[DISTANCES];
    private static final int[] FIXED_DISTANCE_CODES = new int[DISTANCES];

    static {
        for (int c = 0; c < 29; c++) {
            for (int i = 0; i < 1 << LENGTH_EXTRA[c] && LENGTH_BASE[c] - 3 + i < 256; i++) {
                LENGTH_CODE[LENGTH_BASE[c] - 3 + i] = (byte) c;
            }
        }
        LENGTH_CODE[MAX_MATCH - 3] = 28; // 258 has a code of its own (code 27 + 31 would be 258 too)
        for (int c = 0; c < DISTANCES; c++) {
            for (int i = 0; i < 1 << DISTANCE_EXTRA[c]; i++) {
                int d = DISTANCE_BASE[c] - 1 + i;
                DISTANCE_CODE[d < 256 ? d : 256 + (d >> 7)] = (byte) c;
            }
        }
        for (int s = 0; s < 288; s++) {
            FIXED_LITERAL_LENGTHS[s] = s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8;
        }
        canonicalCodes(FIXED_LITERAL_LENGTHS, 288, FIXED_LITERAL_CODES); // all 288: 286 and 287 shift the 9-bit codes
        Arrays.fill(FIXED_DISTANCE_LENGTHS, 5);
        canonicalCodes(FIXED_DISTANCE_LENGTHS, DISTANCES, FIXED_DISTANCE_CODES);
    }

    private final int[] head = new int[1 << HASH_BITS];
    /** The current block's symbols: a literal byte (< 256), or {@code length << 16 | distance}. */
    private final int[] symbols = new int[BLOCK_SYMBOLS];
    private final int[] literalFrequencies = new int[LITERALS_AND_LENGTHS];
    private final int[] distanceFrequencies = new int[DISTANCES];
    private final int[] literalLengths = new int[LITERALS_AND_LENGTHS];
    private final int[] distanceLengths = new int[DISTANCES];
    private final int[] literalCodes = new int[LITERALS_AND_LENGTHS];
    private final int[] distanceCodes = new int[DISTANCES];
    private final int[] lengthSequence = new int[LITERALS_AND_LENGTHS + DISTANCES];
    private final int[] codeLengthSymbols = new int[LITERALS_AND_LENGTHS + DISTANCES];
    private final int[] codeLengthFrequencies = new int[19];
    private final int[] codeLengthLengths = new int[19];
    private final int[] codeLengthCodes = new int[19];
    private final HuffmanBuilder huffman = new HuffmanBuilder();
    /** For the block being written: a literal's code | its length << 24. */
    private final int[] literalBits = new int[256];
    /** For the block being written: a match length's code and extra bits | their length << 24. */
    private final int[] lengthBits = new int[MAX_MATCH + 1];

    private byte[] out;
    private int outPos;
    private long bitBuffer;
    private int bitCount;

    /** The most bytes {@link #deflate} writes for {@code length} input bytes. */
    static int maxCompressedLength(int length) {
        // every block but the last holds at least BLOCK_SYMBOLS bytes; at worst it is stored: 5 bytes per 64 KiB and
        // per block, plus alignment, plus 8 for the bit writer, which stores 8 bytes at a time
        return length + 10 * (length / BLOCK_SYMBOLS + 2) + 16 + 8;
    }

    /**
     * Compresses {@code data[offset, offset + length)} into one complete raw deflate stream (no zlib or gzip
     * wrapper) written to {@code dest} from {@code destOffset} on.
     *
     * @param dest at least {@link #maxCompressedLength(int)} bytes from {@code destOffset} on
     * @return the number of bytes written to {@code dest}
     */
    int deflate(byte[] data, int offset, int length, byte[] dest, int destOffset) {
        if (dest.length - destOffset < maxCompressedLength(length)) {
            throw new IllegalArgumentException("destination of " + (dest.length - destOffset)
                    + " bytes is smaller than " + maxCompressedLength(length));
        }
        out = dest;
        outPos = destOffset;
        bitBuffer = 0;
        bitCount = 0;
        int[] head = this.head;
        int[] symbols = this.symbols;
        int[] literalFrequencies = this.literalFrequencies;
        Arrays.fill(head, offset - WINDOW - 1); // "no position yet": too far back for any match
        int end = offset + length;
        int lastHashable = end - MIN_MATCH;
        int p = offset;
        int count = 0;
        int blockStart = offset;
        while (p < end) {
            int matchLength = 0;
            int candidate = 0;
            if (p <= lastHashable) {
                int v = (int) INT.get(data, p);
                int h = (v * 0x9E3779B1) >>> (32 - HASH_BITS);
                candidate = head[h];
                head[h] = p;
                if (p - candidate <= WINDOW && (int) INT.get(data, candidate) == v) {
                    matchLength = matchLength(data, p, candidate, Math.min(MAX_MATCH, end - p));
                }
            }
            if (matchLength != 0) {
                int distance = p - candidate;
                symbols[count++] = matchLength << 16 | distance;
                literalFrequencies[257 + LENGTH_CODE[matchLength - 3]]++;
                distanceFrequencies[distanceCode(distance)]++;
                p += matchLength;
            } else {
                int b = data[p] & 0xff;
                symbols[count++] = b;
                literalFrequencies[b]++;
                p++;
            }
            if (count == BLOCK_SYMBOLS) {
                writeBlock(data, blockStart, p - blockStart, count, p == end);
                blockStart = p;
                count = 0;
            }
        }
        if (count > 0 || length == 0) {
            writeBlock(data, blockStart, p - blockStart, count, true);
        }
        alignToByte();
        out = null;
        return outPos - destOffset;
    }

    /** Length of the match at {@code p} against {@code candidate}, whose first 4 bytes are known to agree. */
    private static int matchLength(byte[] data, int p, int candidate, int max) {
        int n = MIN_MATCH;
        while (n + 8 <= max) {
            long x = (long) LONG.get(data, p + n) ^ (long) LONG.get(data, candidate + n);
            if (x != 0) {
                return n + (Long.numberOfTrailingZeros(x) >>> 3);
            }
            n += 8;
        }
        while (n < max && data[p + n] == data[candidate + n]) {
            n++;
        }
        return n;
    }

    private static int distanceCode(int distance) {
        int d = distance - 1;
        return d < 256 ? DISTANCE_CODE[d] : DISTANCE_CODE[256 + (d >> 7)];
    }

    /** Writes the block of {@code count} symbols covering {@code data[from, from + length)} in its cheapest form. */
    private void writeBlock(byte[] data, int from, int length, int count, boolean last) {
        literalFrequencies[END_OF_BLOCK]++;
        huffman.lengths(literalFrequencies, LITERALS_AND_LENGTHS, MAX_BITS, literalLengths);
        huffman.lengths(distanceFrequencies, DISTANCES, MAX_BITS, distanceLengths);
        int literalCount = LITERALS_AND_LENGTHS;
        while (literalCount > 257 && literalLengths[literalCount - 1] == 0) {
            literalCount--;
        }
        int distanceCount = DISTANCES;
        while (distanceCount > 1 && distanceLengths[distanceCount - 1] == 0) {
            distanceCount--;
        }
        int sequenceLength = literalCount + distanceCount;
        System.arraycopy(literalLengths, 0, lengthSequence, 0, literalCount);
        System.arraycopy(distanceLengths, 0, lengthSequence, literalCount, distanceCount);
        int symbolCount = runLengthEncode(sequenceLength);
        huffman.lengths(codeLengthFrequencies, 19, MAX_CODE_LENGTH_BITS, codeLengthLengths);
        int codeLengthCount = 19;
        while (codeLengthCount > 4 && codeLengthLengths[CODE_LENGTH_ORDER[codeLengthCount - 1]] == 0) {
            codeLengthCount--;
        }

        long dynamicBits = 3 + 5 + 5 + 4 + 3L * codeLengthCount;
        for (int i = 0; i < symbolCount; i++) {
            int s = codeLengthSymbols[i] & 0xff;
            dynamicBits += codeLengthLengths[s] + (s == 16 ? 2 : s == 17 ? 3 : s == 18 ? 7 : 0);
        }
        long fixedBits = 3;
        for (int s = 0; s < LITERALS_AND_LENGTHS; s++) {
            int f = literalFrequencies[s];
            if (f != 0) {
                int extra = s > END_OF_BLOCK ? LENGTH_EXTRA[s - 257] : 0;
                dynamicBits += (long) f * (literalLengths[s] + extra);
                fixedBits += (long) f * (FIXED_LITERAL_LENGTHS[s] + extra);
            }
        }
        for (int s = 0; s < DISTANCES; s++) {
            int f = distanceFrequencies[s];
            if (f != 0) {
                dynamicBits += (long) f * (distanceLengths[s] + DISTANCE_EXTRA[s]);
                fixedBits += (long) f * (5 + DISTANCE_EXTRA[s]);
            }
        }
        long storedBits = 8L * (length + 5L * Math.max(1, (length + 65_534) / 65_535)) + 7;

        if (storedBits <= Math.min(dynamicBits, fixedBits)) {
            writeStored(data, from, length, last);
        } else if (fixedBits <= dynamicBits) {
            putBits(last ? 0b011 : 0b010, 3);
            writeSymbols(count, FIXED_LITERAL_CODES, FIXED_LITERAL_LENGTHS, FIXED_DISTANCE_CODES,
                    FIXED_DISTANCE_LENGTHS);
        } else {
            putBits(last ? 0b101 : 0b100, 3);
            putBits(literalCount - 257, 5);
            putBits(distanceCount - 1, 5);
            putBits(codeLengthCount - 4, 4);
            for (int i = 0; i < codeLengthCount; i++) {
                putBits(codeLengthLengths[CODE_LENGTH_ORDER[i]], 3);
            }
            canonicalCodes(codeLengthLengths, 19, codeLengthCodes);
            for (int i = 0; i < symbolCount; i++) {
                int s = codeLengthSymbols[i] & 0xff;
                putBits(codeLengthCodes[s], codeLengthLengths[s]);
                if (s >= 16) {
                    putBits(codeLengthSymbols[i] >>> 8, s == 16 ? 2 : s == 17 ? 3 : 7);
                }
            }
            canonicalCodes(literalLengths, LITERALS_AND_LENGTHS, literalCodes);
            canonicalCodes(distanceLengths, DISTANCES, distanceCodes);
            writeSymbols(count, literalCodes, literalLengths, distanceCodes, distanceLengths);
        }
        Arrays.fill(literalFrequencies, 0);
        Arrays.fill(distanceFrequencies, 0);
    }

    /**
     * Run-length encodes {@code lengthSequence[0, n)} with the code-length alphabet (16: repeat the previous length
     * 3-6 times, 17: 3-10 zeros, 18: 11-138 zeros) into {@link #codeLengthSymbols} ({@code symbol | extra << 8}) and
     * counts the symbols; returns how many there are.
     */
    private int runLengthEncode(int n) {
        Arrays.fill(codeLengthFrequencies, 0);
        int count = 0;
        int i = 0;
        while (i < n) {
            int v = lengthSequence[i];
            int run = 1;
            while (i + run < n && lengthSequence[i + run] == v) {
                run++;
            }
            int used;
            if (v == 0 && run >= 11) {
                used = Math.min(run, 138);
                codeLengthSymbols[count++] = 18 | (used - 11) << 8;
                codeLengthFrequencies[18]++;
            } else if (v == 0 && run >= 3) {
                used = run;
                codeLengthSymbols[count++] = 17 | (used - 3) << 8;
                codeLengthFrequencies[17]++;
            } else if (v != 0 && run >= 4) {
                int repeats = Math.min(run - 1, 6);
                codeLengthSymbols[count++] = v;
                codeLengthSymbols[count++] = 16 | (repeats - 3) << 8;
                codeLengthFrequencies[v]++;
                codeLengthFrequencies[16]++;
                used = 1 + repeats;
            } else {
                used = 1;
                codeLengthSymbols[count++] = v;
                codeLengthFrequencies[v]++;
            }
            i += used;
        }
        return count;
    }

    private void writeSymbols(int count, int[] literalCode, int[] literalLength, int[] distanceCode,
                              int[] distanceLength) {
        // per block: each literal's code and length in one int, and each match length's code with its extra bits
        int[] literals = literalBits;
        for (int s = 0; s < 256; s++) {
            literals[s] = literalCode[s] | literalLength[s] << 24;
        }
        int[] lengths = lengthBits;
        for (int length = 3; length <= MAX_MATCH; length++) {
            int c = LENGTH_CODE[length - 3];
            int codeLength = literalLength[257 + c];
            lengths[length] = literalCode[257 + c] | (length - LENGTH_BASE[c]) << codeLength
                    | (codeLength + LENGTH_EXTRA[c]) << 24;
        }
        int[] symbols = this.symbols;
        for (int i = 0; i < count; i++) {
            int s = symbols[i];
            if (s < 256) {
                int v = literals[s];
                putBits(v & 0xffffff, v >>> 24);
            } else {
                int distance = s & 0xffff;
                int v = lengths[s >>> 16];
                putBits(v & 0xffffff, v >>> 24);
                int d = distanceCode(distance);
                int codeLength = distanceLength[d];
                putBits(distanceCode[d] | (distance - DISTANCE_BASE[d]) << codeLength, codeLength + DISTANCE_EXTRA[d]);
            }
        }
        putBits(literalCode[END_OF_BLOCK], literalLength[END_OF_BLOCK]);
    }

    private void writeStored(byte[] data, int from, int length, boolean last) {
        int pos = from;
        int remaining = length;
        do {
            int n = Math.min(remaining, 65_535);
            putBits(last && n == remaining ? 1 : 0, 3);
            alignToByte();
            out[outPos++] = (byte) n;
            out[outPos++] = (byte) (n >>> 8);
            out[outPos++] = (byte) ~n;
            out[outPos++] = (byte) (~n >>> 8);
            System.arraycopy(data, pos, out, outPos, n);
            outPos += n;
            pos += n;
            remaining -= n;
        } while (remaining > 0);
    }

    /**
     * Appends the low {@code count} bits of {@code value}, least significant first: at most 28 (a code of up to 15 bits
     * and its extra bits). Without a branch: the whole 64-bit buffer is stored at the output position and the position
     * advances by the complete bytes in it (at most 4, as at most 7 bits stay behind), so the output array needs 8
     * bytes of room past the last byte written (see {@link #maxCompressedLength}).
     */
    private void putBits(int value, int count) {
        long b = bitBuffer | (long) value << bitCount;
        int n = bitCount + count;
        LONG.set(out, outPos, b);
        int bytes = n >>> 3;
        outPos += bytes;
        bitBuffer = b >>> (bytes << 3);
        bitCount = n & 7;
    }

    private void alignToByte() {
        while (bitCount > 0) {
            out[outPos++] = (byte) bitBuffer;
            bitBuffer >>>= 8;
            bitCount -= 8;
        }
        bitBuffer = 0;
        bitCount = 0;
    }

    /** The canonical Huffman codes of {@code lengths} (RFC 1951, 3.2.2), bit-reversed for LSB-first output. */
    static void canonicalCodes(int[] lengths, int n, int[] codes) {
        int[] lengthCount = new int[MAX_BITS + 1];
        for (int i = 0; i < n; i++) {
            lengthCount[lengths[i]]++;
        }
        lengthCount[0] = 0;
        int[] next = new int[MAX_BITS + 1];
        int code = 0;
        for (int bits = 1; bits <= MAX_BITS; bits++) {
            code = (code + lengthCount[bits - 1]) << 1;
            next[bits] = code;
        }
        for (int i = 0; i < n; i++) {
            int l = lengths[i];
            codes[i] = l == 0 ? 0 : Integer.reverse(next[l]++) >>> (32 - l);
        }
    }

    /**
     * Length-limited Huffman code lengths: optimal lengths from the two-queue construction over the symbols sorted by
     * frequency, then, when some exceed the limit, the Kraft sum restored by lengthening the deepest codes that still
     * fit (as miniz does), the shortest lengths going to the most frequent symbols. Always at least two codes (a
     * complete code; inflaters reject a single one in the literal alphabet). Reuses its arrays; one per deflater.
     */
    static final class HuffmanBuilder {
        private final long[] items = new long[LITERALS_AND_LENGTHS];
        private final long[] weight = new long[2 * LITERALS_AND_LENGTHS];
        private final int[] parent = new int[2 * LITERALS_AND_LENGTHS];
        private final int[] depth = new int[2 * LITERALS_AND_LENGTHS];
        private final int[] lengthCount = new int[2 * LITERALS_AND_LENGTHS];

        void lengths(int[] frequencies, int n, int maxLength, int[] lengths) {
            Arrays.fill(lengths, 0, n, 0);
            int used = 0;
            for (int i = 0; i < n; i++) {
                if (frequencies[i] != 0) {
                    items[used++] = (long) frequencies[i] << 16 | i;
                }
            }
            if (used < 2) {
                int s = used == 0 ? 0 : (int) (items[0] & 0xffff);
                lengths[s] = 1;
                lengths[s == 0 ? 1 : 0] = 1;
                return;
            }
            Arrays.sort(items, 0, used);
            for (int i = 0; i < used; i++) {
                weight[i] = items[i] >>> 16;
            }
            int leaf = 0;
            int nextNode = used;
            int firstNode = used;
            for (int k = 0; k < used - 1; k++) {
                int a = leaf < used && (firstNode >= nextNode || weight[leaf] <= weight[firstNode])
                        ? leaf++ : firstNode++;
                int b = leaf < used && (firstNode >= nextNode || weight[leaf] <= weight[firstNode])
                        ? leaf++ : firstNode++;
                weight[nextNode] = weight[a] + weight[b];
                parent[a] = nextNode;
                parent[b] = nextNode;
                nextNode++;
            }
            int root = nextNode - 1;
            depth[root] = 0;
            for (int i = root - 1; i >= 0; i--) {
                depth[i] = depth[parent[i]] + 1; // parents are always created after their children
            }
            Arrays.fill(lengthCount, 0, maxLength + 1, 0);
            for (int i = 0; i < used; i++) {
                lengthCount[Math.min(depth[i], maxLength)]++;
            }
            long kraft = 0;
            for (int l = 1; l <= maxLength; l++) {
                kraft += (long) lengthCount[l] << (maxLength - l);
            }
            while (kraft > 1L << maxLength) {
                lengthCount[maxLength]--;
                for (int l = maxLength - 1; l > 0; l--) {
                    if (lengthCount[l] != 0) {
                        lengthCount[l]--;
                        lengthCount[l + 1] += 2;
                        break;
                    }
                }
                kraft--;
            }
            int i = used - 1;
            for (int l = 1; l <= maxLength; l++) {
                for (int c = lengthCount[l]; c > 0; c--) {
                    lengths[(int) (items[i--] & 0xffff)] = l;
                }
            }
        }
    }
}
