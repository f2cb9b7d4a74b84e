package dev.keepsake.postgres.internal.schema;

import java.util.List;

/**
 * The database holds objects that Keepsake cannot back up faithfully (large objects, foreign tables, C-language base
 * types, ...). Thrown before anything is written, naming every such object. Immutable.
 */
public final class UnsupportedSchemaException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    UnsupportedSchemaException(List<String> problems) {
        super("The database cannot be backed up faithfully: " + String.join("; ", problems)
                + ". Remove these objects, or exclude their schemas or tables from the backup's scope.");
        this.problems = List.copyOf(problems);
    }

    /** One entry per kind of unsupported object, each naming the objects. */
    public List<String> problems() {
        return problems;
    }
}
