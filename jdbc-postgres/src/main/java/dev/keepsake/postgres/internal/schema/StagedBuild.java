package dev.keepsake.postgres.internal.schema;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How a restore may build a table in a staging schema of its own, on another connection, before its one transaction,
 * which then moves the table into place: the table's {@code CREATE TABLE} names nothing in the backup's schemas but
 * the table itself (built-in column types; its column defaults and CHECK constraints are statements of their own),
 * and so do the statements that create the indexes, primary key and unique or exclusion constraints listed here.
 * Each statement is also in the {@link SchemaScript}, at the index given, rendered for the table's own schema
 * ({@link TableDdl#on}), which the script checks. Immutable and thread-safe.
 *
 * @param createAt the index in {@link SchemaScript#preData()} of the table's {@code CREATE TABLE}
 * @param create   that statement
 * @param indexes  the index in {@link SchemaScript#postData()} of each statement creating one of the table's indexes
 *                 or key constraints that a restore may run on the staged table (they move with it) → that statement
 */
public record StagedBuild(int createAt, TableDdl create, SortedMap<Integer, TableDdl> indexes) {

    public StagedBuild {
        if (createAt < 0) {
            throw new IllegalArgumentException("createAt must be an index, got " + createAt);
        }
        Objects.requireNonNull(create, "create");
        indexes = Collections.unmodifiableSortedMap(new TreeMap<>(indexes));
    }

    /** This build with one more index statement, at {@code postDataAt}. */
    StagedBuild withIndex(int postDataAt, TableDdl statement) {
        SortedMap<Integer, TableDdl> more = new TreeMap<>(indexes);
        if (more.put(postDataAt, statement) != null) {
            throw new IllegalArgumentException("post-data statement " + postDataAt + " is listed twice");
        }
        return new StagedBuild(createAt, create, more);
    }
}
