package dev.keepsake.postgres.internal.schema;

/** Where a statement runs relative to the data, like pg_dump's sections. */
enum Section {
    /** Before the rows are copied. */
    PRE_DATA,
    /** After the rows are copied. */
    POST_DATA
}
