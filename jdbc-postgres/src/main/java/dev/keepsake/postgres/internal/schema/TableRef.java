package dev.keepsake.postgres.internal.schema;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A table whose rows must be copied: regular tables, leaf partitions and unlogged tables; never views, partitioned
 * parents, foreign tables or materialized views (those are refreshed). Immutable and thread-safe.
 *
 * @param schema         the schema name, unquoted
 * @param name           the table name, unquoted
 * @param estimatedBytes the table's size on disk (with indexes and TOAST), for biggest-first scheduling
 * @param columns        the column names, unquoted, in attnum order, without generated columns (COPY cannot write them)
 * @param createStatement the index in {@link SchemaScript#preData()} of the table's {@code CREATE TABLE} when that
 *                        statement names nothing in the backup's schemas but the table itself (built-in column types,
 *                        defaults and CHECK constraints as statements of their own), so that a restore may run it in a
 *                        staging schema and load the table there; -1 for every other table
 * @param stagedPost      for such a table, the indexes in {@link SchemaScript#postData()} of the statements that
 *                        create its indexes, primary keys and unique or exclusion constraints and name nothing in the
 *                        backup's schemas but the table: a restore that stages the table may run them on the staged
 *                        table (they move with it); empty for every other table
 */
public record TableRef(String schema, String name, long estimatedBytes, List<String> columns, int createStatement,
                       List<Integer> stagedPost) {

    public TableRef {
        if (schema == null || schema.isEmpty() || name == null || name.isEmpty()) {
            throw new IllegalArgumentException("TableRef needs a schema and a name, got '" + schema + "'.'" + name + "'");
        }
        if (createStatement < -1) {
            throw new IllegalArgumentException("createStatement must be an index or -1, got " + createStatement);
        }
        columns = List.copyOf(columns);
        stagedPost = List.copyOf(stagedPost);
        if (createStatement < 0 && !stagedPost.isEmpty()) {
            throw new IllegalArgumentException("stagedPost needs a createStatement");
        }
    }

    /** A table without a stageable CREATE statement. */
    public TableRef(String schema, String name, long estimatedBytes, List<String> columns) {
        this(schema, name, estimatedBytes, columns, -1, List.of());
    }

    /** This table with the index of its stageable CREATE statement and those of its stageable post-data statements. */
    public TableRef staged(int createIndex, List<Integer> postIndexes) {
        return new TableRef(schema, name, estimatedBytes, columns, createIndex, postIndexes);
    }

    /** The quoted qualified name, e.g. {@code "public"."My Table"}, usable in any SQL statement. */
    public String qualifiedName() {
        return SqlText.ident(schema) + "." + SqlText.ident(name);
    }

    /** {@code table schema.name}, unquoted, for messages. */
    public String describe() {
        return "table " + schema + "." + name;
    }

    /** The quoted column list in parentheses, e.g. {@code ("id", "Name")}, for {@code COPY table (columns)}. */
    public String columnList() {
        return columns.stream().map(SqlText::ident).collect(Collectors.joining(", ", "(", ")"));
    }
}
