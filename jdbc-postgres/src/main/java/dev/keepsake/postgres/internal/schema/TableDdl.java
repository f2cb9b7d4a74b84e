package dev.keepsake.postgres.internal.schema;

import java.util.Objects;

/**
 * A statement about one table, kept as the text before and after the table's qualified name, so that it renders for
 * the table itself or for a copy of it in another schema (a restore's staging schema) without any parsing of SQL.
 * Immutable and thread-safe.
 *
 * @param head the text before the table's name, e.g. {@code CREATE TABLE } or {@code CREATE UNIQUE INDEX "i" ON }
 * @param tail the text after it, e.g. {@code  (\n    "id" integer NOT NULL\n)} or {@code  USING btree (id)}
 */
public record TableDdl(String head, String tail) {

    public TableDdl {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(tail, "tail");
    }

    /** The statement acting on table {@code name} of schema {@code schema} (both quoted here). */
    public String on(String schema, String name) {
        return head + SqlText.ident(schema) + "." + SqlText.ident(name) + tail;
    }
}
