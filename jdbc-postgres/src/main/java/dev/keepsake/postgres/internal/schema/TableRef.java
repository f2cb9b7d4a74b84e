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
 * @param stagedBuild    how a restore may build the table in a staging schema of its own, or null when its
 *                       statements name more of the backup than the table (see {@link StagedBuild})
 */
public record TableRef(String schema, String name, long estimatedBytes, List<String> columns,
                       StagedBuild stagedBuild) {

    public TableRef {
        if (schema == null || schema.isEmpty() || name == null || name.isEmpty()) {
            throw new IllegalArgumentException("TableRef needs a schema and a name, got '" + schema + "'.'" + name + "'");
        }
        columns = List.copyOf(columns);
    }

    /** A table a restore may not stage. */
    public TableRef(String schema, String name, long estimatedBytes, List<String> columns) {
        this(schema, name, estimatedBytes, columns, null);
    }

    /** This table with {@code build} (null: none). */
    public TableRef withStagedBuild(StagedBuild build) {
        return new TableRef(schema, name, estimatedBytes, columns, build);
    }

    /** Whether a restore may build this table in a staging schema ({@link #stagedBuild()} is not null). */
    public boolean stageable() {
        return stagedBuild != null;
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
