package dev.keepsake.core.internal.compress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static org.assertj.core.api.Assertions.assertThat;

class GreedyDeflateTest {

    private final GreedyDeflate deflate = new GreedyDeflate();

    /** Deflates with the class under test, inflates with zlib (through the JDK) and checks every byte. */
    private byte[] roundTrip(byte[] input) throws DataFormatException {
        byte[] dest = new byte[3 + GreedyDeflate.maxCompressedLength(input.length)];
        int n = deflate.deflate(input, 0, input.length, dest, 3);
        assertThat(n).isLessThanOrEqualTo(GreedyDeflate.maxCompressedLength(input.length));
        byte[] compressed = Arrays.copyOfRange(dest, 3, 3 + n);
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(compressed);
            byte[] back = new byte[input.length + 1];
            int got = inflater.inflate(back);
            assertThat(inflater.finished()).as("the stream ends with a final block").isTrue();
            assertThat(inflater.getRemaining()).as("nothing after the final block").isZero();
            assertThat(Arrays.copyOf(back, got)).isEqualTo(input);
        } finally {
            inflater.end();
        }
        return compressed;
    }

    private static byte[] rows(int size) {
        byte[] row = "1\t1\t0\t                                                                                    \n"
                .getBytes(StandardCharsets.US_ASCII);
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = row[i % row.length];
        }
        return b;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 7, 8, 9, 258, 259, 65_535, 65_536, 1 << 20})
    void zerosOfEveryAwkwardLengthInflateToTheInput(int size) throws DataFormatException {
        byte[] compressed = roundTrip(new byte[size]);

        if (size >= 65_536) {
            assertThat(compressed.length).isLessThan(size / 100);
        }
    }

    @Test
    void randomBytesAreStoredWithAtMostFiveBytesPerBlockOfOverhead() throws DataFormatException {
        byte[] input = new byte[1 << 20];
        new Random(1).nextBytes(input);

        byte[] compressed = roundTrip(input);

        assertThat(compressed.length).isLessThanOrEqualTo(GreedyDeflate.maxCompressedLength(input.length))
                .isGreaterThanOrEqualTo(input.length);
    }

    @Test
    void repetitiveRowsCompressAboutAsWellAsZlibLevelOne() throws DataFormatException {
        byte[] input = rows(1 << 20);
        byte[] zlib = new byte[1 << 20];
        Deflater deflater = new Deflater(1, true);
        deflater.setInput(input);
        deflater.finish();
        int zlibSize = deflater.deflate(zlib);
        deflater.end();

        byte[] compressed = roundTrip(input);

        assertThat(compressed.length).isLessThanOrEqualTo(zlibSize * 2);
    }

    @Test
    void skewedSymbolFrequenciesGetLengthLimitedCodes() throws DataFormatException {
        // Fibonacci frequencies make an unrestricted Huffman tree deeper than the 15 bits deflate allows
        List<Byte> symbols = new ArrayList<>();
        long a = 1;
        long b = 1;
        for (int s = 0; s < 26; s++) {
            for (long k = 0; k < a; k++) {
                symbols.add((byte) (s * 9));
            }
            long next = a + b;
            a = b;
            b = next;
        }
        Collections.shuffle(symbols, new Random(3));
        byte[] input = new byte[symbols.size()];
        for (int i = 0; i < input.length; i++) {
            input[i] = symbols.get(i);
        }

        roundTrip(input);
    }

    @Test
    void theHuffmanBuilderKeepsKraftsSumAndTheLengthLimit() {
        GreedyDeflate.HuffmanBuilder builder = new GreedyDeflate.HuffmanBuilder();
        Random random = new Random(7);
        for (int round = 0; round < 500; round++) {
            int maxLength = round % 2 == 0 ? 15 : 7; // the code-length alphabet (19 symbols) is limited to 7 bits
            int n = 2 + random.nextInt(maxLength == 15 ? 285 : 18);
            int[] frequencies = new int[n];
            for (int i = 0; i < n; i++) {
                frequencies[i] = random.nextInt(4) == 0 ? 0 : 1 + (int) Math.min(1 << 24,
                        Math.pow(2, random.nextInt(30)) * random.nextDouble());
            }
            int[] lengths = new int[n];

            builder.lengths(frequencies, n, maxLength, lengths);

            double kraft = 0;
            int codes = 0;
            for (int i = 0; i < n; i++) {
                assertThat(lengths[i]).isBetween(0, maxLength);
                if (lengths[i] > 0) {
                    codes++;
                    kraft += Math.pow(2, -lengths[i]);
                }
                if (frequencies[i] != 0) {
                    assertThat(lengths[i]).as("symbol %d is used", i).isPositive();
                }
            }
            assertThat(codes).isGreaterThanOrEqualTo(2);
            assertThat(kraft).as("a complete prefix code").isEqualTo(1.0);
        }
    }

    @Test
    void matchesOfEveryLengthAndDistanceInflateToTheInput() throws DataFormatException {
        Random random = new Random(11);
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        byte[] noise = new byte[40_000];
        random.nextBytes(noise);
        input.write(noise, 0, noise.length);
        for (int length = 3; length <= 300; length++) {
            int distance = 1 + random.nextInt(32_768 + 100);
            byte[] sofar = input.toByteArray();
            int from = Math.max(0, sofar.length - distance);
            for (int i = 0; i < length; i++) {
                input.write(sofar[from + (i % (sofar.length - from))]);
            }
            input.write(random.nextInt());
        }

        roundTrip(input.toByteArray());
    }

    @Test
    void randomMixturesOfTextRunsAndNoiseInflateToTheInput() throws DataFormatException {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            int size = random.nextInt(round < 150 ? 5_000 : 300_000);
            byte[] input = new byte[size];
            int i = 0;
            while (i < size) {
                int span = Math.min(size - i, 1 + random.nextInt(2_000));
                switch (random.nextInt(4)) {
                    case 0 -> {
                        for (int k = 0; k < span; k++) {
                            input[i + k] = (byte) random.nextInt();
                        }
                    }
                    case 1 -> Arrays.fill(input, i, i + span, (byte) random.nextInt());
                    case 2 -> {
                        for (int k = 0; k < span; k++) {
                            input[i + k] = (byte) ('a' + random.nextInt(1 + random.nextInt(26)));
                        }
                    }
                    default -> {
                        int distance = 1 + random.nextInt(Math.max(1, Math.min(i, 40_000)));
                        for (int k = 0; k < span; k++) {
                            input[i + k] = i + k - distance >= 0 ? input[i + k - distance] : 0;
                        }
                    }
                }
                i += span;
            }

            roundTrip(input);
        }
    }

    @Test
    void anInstanceIsReusedFromBufferToBufferWithoutCarryingState() throws DataFormatException {
        byte[] first = rows(100_000);
        byte[] second = new byte[100_000];
        new Random(5).nextBytes(second);

        byte[] once = roundTrip(first);
        roundTrip(second);

        assertThat(roundTrip(first)).isEqualTo(once);
    }

    @Test
    void aSliceOfABufferNeverReachesBackBeforeItsStart() throws DataFormatException {
        byte[] half = rows(20_000); // shorter than the window: the bytes before the slice are within reach
        byte[] buffer = new byte[40_000];
        System.arraycopy(half, 0, buffer, 0, half.length);
        System.arraycopy(half, 0, buffer, half.length, half.length); // the slice repeats what comes before it

        byte[] dest = new byte[GreedyDeflate.maxCompressedLength(half.length)];
        int n = deflate.deflate(buffer, half.length, half.length, dest, 0);

        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(dest, 0, n);
            byte[] back = new byte[half.length + 1];
            assertThat(inflater.inflate(back)).isEqualTo(half.length); // a match before the start fails to inflate
            assertThat(inflater.finished()).isTrue();
            assertThat(Arrays.copyOf(back, half.length)).isEqualTo(half);
        } finally {
            inflater.end();
        }
    }
}
