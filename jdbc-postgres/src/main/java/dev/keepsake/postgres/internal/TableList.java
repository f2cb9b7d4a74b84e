package dev.keepsake.postgres.internal;

import dev.keepsake.postgres.internal.schema.TableRef;

import java.util.BitSet;
import java.util.List;

/**
 * The part's table list ({@value PartLayout#TABLES_ENTRY}, right after the schema): a header line, then per table in
 * schema order its data stream, schema, name, estimated size and COPY format ({@code text} or {@code binary}). The
 * format is decided by the backup, after the schema is read; the rest is there for people reading the archive.
 * Written by the backup, read by the restore. Stateless.
 */
public final class TableList {

    /** The header line. */
    public static final String HEADER = "stream\tschema\ttable\testimated_bytes\tformat";

    private TableList() {
    }

    /** The list of {@code tables}, those in {@code binary} in binary format. */
    public static String write(List<TableRef> tables, BitSet binary) {
        StringBuilder tsv = new StringBuilder(HEADER).append('\n');
        for (int i = 0; i < tables.size(); i++) {
            TableRef t = tables.get(i);
            tsv.append(PartLayout.streamName(i)).append('\t').append(field(t.schema())).append('\t')
                    .append(field(t.name())).append('\t').append(t.estimatedBytes()).append('\t')
                    .append(binary.get(i) ? "binary" : "text").append('\n');
        }
        return tsv.toString();
    }

    private static String field(String s) {
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    /**
     * Reads a list written by {@link #write}: the tables in binary format.
     *
     * @param tableCount the tables in the schema (one line each)
     * @throws IllegalArgumentException naming what is wrong
     */
    public static BitSet binaryTables(String text, int tableCount) {
        String[] lines = text.split("\n", -1);
        if (lines.length != tableCount + 2 || !lines[lines.length - 1].isEmpty()) {
            throw new IllegalArgumentException("it has " + Math.max(0, lines.length - 2) + " table lines where the "
                    + "schema lists " + tableCount + " tables");
        }
        if (!lines[0].equals(HEADER)) {
            throw new IllegalArgumentException("its header is not '" + HEADER.replace("\t", "\\t") + "'");
        }
        BitSet binary = new BitSet(tableCount);
        for (int i = 0; i < tableCount; i++) {
            String[] fields = lines[i + 1].split("\t", -1);
            if (fields.length != 5 || !fields[0].equals(PartLayout.streamName(i))) {
                throw new IllegalArgumentException("line " + (i + 2) + " is not the line of table " + i);
            }
            switch (fields[4]) {
                case "binary" -> binary.set(i);
                case "text" -> { }
                default -> throw new IllegalArgumentException("line " + (i + 2) + " gives the format '"
                        + fields[4] + "' (text or binary expected)");
            }
        }
        return binary;
    }
}
