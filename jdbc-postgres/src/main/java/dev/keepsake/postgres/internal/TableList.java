package dev.keepsake.postgres.internal;

import dev.keepsake.postgres.internal.schema.TableRef;

import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The part's table list ({@code tables.tsv}, right after the schema in layouts 2 and 3): a header line, then per table
 * in schema order its stream, schema, name, estimated size and COPY format ({@code text} or {@code binary}); layout 3
 * adds the index of its stageable CREATE statement or -1 ({@link TableRef#createStatement()}) and the comma-separated
 * indexes of its stageable index statements or {@code -} ({@link TableRef#stagedPost()}). Written by the backup, read
 * by the restore. Immutable once read.
 *
 * @param binary          the tables in binary format
 * @param createStatement per table, the index of its stageable CREATE statement in the schema's preData, or -1
 * @param stagedPost      per table, the indexes in the schema's postData of its stageable index statements
 */
public record TableList(BitSet binary, int[] createStatement, int[][] stagedPost) {

    /** The header line in layout 2. */
    public static final String HEADER = "stream\tschema\ttable\testimated_bytes\tformat";
    /** The header line in layout 3. */
    public static final String HEADER_STAGEABLE = HEADER + "\tcreate_statement\tindex_statements";

    /** Whether some binary table has a stageable CREATE statement (the list is then written in layout 3). */
    public static boolean anyStageable(List<TableRef> tables, BitSet binary) {
        for (int i = binary.nextSetBit(0); i >= 0; i = binary.nextSetBit(i + 1)) {
            if (tables.get(i).createStatement() >= 0) {
                return true;
            }
        }
        return false;
    }

    /** The list of {@code tables} in layout 3 ({@code stageable}) or 2. */
    public static String write(List<TableRef> tables, BitSet binary, boolean stageable) {
        StringBuilder tsv = new StringBuilder(stageable ? HEADER_STAGEABLE : HEADER).append('\n');
        for (int i = 0; i < tables.size(); i++) {
            TableRef t = tables.get(i);
            tsv.append(PartLayout.streamName(i)).append('\t').append(field(t.schema())).append('\t')
                    .append(field(t.name())).append('\t').append(t.estimatedBytes()).append('\t')
                    .append(binary.get(i) ? "binary" : "text");
            if (stageable) {
                boolean staged = binary.get(i) && t.createStatement() >= 0;
                tsv.append('\t').append(staged ? t.createStatement() : -1).append('\t');
                if (!staged || t.stagedPost().isEmpty()) {
                    tsv.append('-');
                } else {
                    tsv.append(t.stagedPost().stream().map(String::valueOf).collect(Collectors.joining(",")));
                }
            }
            tsv.append('\n');
        }
        return tsv.toString();
    }

    private static String field(String s) {
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    /**
     * Reads a list written by {@link #write}.
     *
     * @param stageable    whether it is in layout 3
     * @param preDataSize  statements in the schema's preData (a create statement index must be below)
     * @param postDataSize statements in the schema's postData (an index statement index must be below)
     * @throws IllegalArgumentException naming what is wrong
     */
    public static TableList parse(String text, int tableCount, boolean stageable, int preDataSize, int postDataSize) {
        String[] lines = text.split("\n", -1);
        if (lines.length != tableCount + 2 || !lines[lines.length - 1].isEmpty()) {
            throw new IllegalArgumentException("it has " + Math.max(0, lines.length - 2) + " table lines where the "
                    + "schema lists " + tableCount + " tables");
        }
        String header = stageable ? HEADER_STAGEABLE : HEADER;
        if (!lines[0].equals(header)) {
            throw new IllegalArgumentException("its header is not '" + header.replace("\t", "\\t") + "'");
        }
        BitSet binary = new BitSet(tableCount);
        int[] create = new int[tableCount];
        Arrays.fill(create, -1);
        int[][] post = new int[tableCount][0];
        for (int i = 0; i < tableCount; i++) {
            String[] fields = lines[i + 1].split("\t", -1);
            if (fields.length != (stageable ? 7 : 5) || !fields[0].equals(PartLayout.streamName(i))) {
                throw new IllegalArgumentException("line " + (i + 2) + " is not the line of table " + i);
            }
            switch (fields[4]) {
                case "binary" -> binary.set(i);
                case "text" -> { }
                default -> throw new IllegalArgumentException("line " + (i + 2) + " gives the format '"
                        + fields[4] + "' (text or binary expected)");
            }
            if (stageable) {
                int at = number(fields[5], -2);
                if (at < -1 || at >= preDataSize || (at >= 0 && !binary.get(i))) {
                    throw new IllegalArgumentException("line " + (i + 2) + " gives the create statement '"
                            + fields[5] + "' (-1, or the index of a schema statement of a binary table, expected)");
                }
                create[i] = at;
                if (!fields[6].equals("-")) {
                    String[] items = fields[6].split(",", -1);
                    post[i] = new int[items.length];
                    for (int k = 0; k < items.length; k++) {
                        int p = number(items[k], -1);
                        if (p < 0 || p >= postDataSize || at < 0) {
                            throw new IllegalArgumentException("line " + (i + 2) + " gives the index statements '"
                                    + fields[6] + "' ('-', or indexes of post-data statements of a stageable table,"
                                    + " expected)");
                        }
                        post[i][k] = p;
                    }
                }
            }
        }
        return new TableList(binary, create, post);
    }

    private static int number(String s, int invalid) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return invalid;
        }
    }
}
