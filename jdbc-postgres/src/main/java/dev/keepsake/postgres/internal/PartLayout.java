package dev.keepsake.postgres.internal;

/**
 * Where things are inside the PostgreSQL part of an archive, shared by the backup that writes them and the restore
 * that reads them. Constants only.
 */
public final class PartLayout {

    /**
     * Version of this part's layout inside the archive; the restore refuses layouts it does not know. Layout 1 has
     * every table in COPY's text format; in layout 2 the table list ({@value #TABLES_ENTRY}, right after the schema)
     * gives each table's format, text or binary; layout 3 adds to that list where a restore may stage each table
     * ({@link TableList}), which lets it load and index big tables on several connections. A backup is written in the
     * lowest layout that holds it, so that older versions read what they can.
     */
    public static final String LAYOUT = "3";
    public static final String LAYOUT_BINARY = "2";
    public static final String LAYOUT_TEXT_ONLY = "1";
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
