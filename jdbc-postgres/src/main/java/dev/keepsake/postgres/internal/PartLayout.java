package dev.keepsake.postgres.internal;

/**
 * The PostgreSQL part's one layout inside an archive, shared by the backup that writes it and the restore that reads
 * it: attribute {@link PartAttributes#LAYOUT} {@value #VERSION}; the schema script ({@value #SCHEMA_ENTRY}, the
 * catalog model with each stageable table's {@code StagedBuild}); the table list ({@value #TABLES_ENTRY}, each
 * table's COPY format, see {@link TableList}); then each table's rows as the chunks of its data stream
 * ({@code data/000000}, ... in schema order), in COPY's text or binary format (whole rows; binary without header and
 * trailer). A restore refuses a part of any other layout before it touches anything. Constants only.
 */
public final class PartLayout {

    /** The layout this version writes and reads. */
    public static final int VERSION = 1;
    /** The schema script, the part's first entry. */
    public static final String SCHEMA_ENTRY = "schema.json";
    /** The table list, right after the schema. */
    public static final String TABLES_ENTRY = "tables.tsv";
    /** The prefix of the tables' data streams. */
    public static final String DATA_PREFIX = "data/";

    private PartLayout() {
    }

    /** The name of the data stream of the table at {@code tableIndex} in the schema script. */
    public static String streamName(int tableIndex) {
        return DATA_PREFIX + String.format("%06d", tableIndex);
    }
}
