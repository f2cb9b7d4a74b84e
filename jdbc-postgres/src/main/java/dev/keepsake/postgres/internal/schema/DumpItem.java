package dev.keepsake.postgres.internal.schema;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One unit of ordering: the statements that create one object (plus its comments, owner and grants), with the items
 * it depends on. Mutable while the extraction builds the graph; confined to the extracting thread.
 */
final class DumpItem {

    /** Ordering among independent items, like pg_dump's object type priorities. */
    enum Kind {
        SCHEMA(1, Section.PRE_DATA), EXTENSION(2, Section.PRE_DATA), COLLATION(3, Section.PRE_DATA),
        TYPE(4, Section.PRE_DATA), FUNCTION(5, Section.PRE_DATA), AGGREGATE(6, Section.PRE_DATA),
        OPERATOR(7, Section.PRE_DATA), OPERATOR_FAMILY(8, Section.PRE_DATA), OPERATOR_CLASS(9, Section.PRE_DATA),
        CAST(10, Section.PRE_DATA), TEXT_SEARCH(11, Section.PRE_DATA), DOMAIN_CONSTRAINT(12, Section.PRE_DATA),
        SEQUENCE(13, Section.PRE_DATA), TABLE(14, Section.PRE_DATA), VIEW(14, Section.PRE_DATA),
        MATERIALIZED_VIEW(14, Section.PRE_DATA), COLUMN_DEFAULT(15, Section.PRE_DATA),
        CHECK_CONSTRAINT(15, Section.PRE_DATA), TABLE_ATTACH(16, Section.PRE_DATA),
        SEQUENCE_OWNED_BY(17, Section.PRE_DATA),
        SEQUENCE_SET(20, Section.POST_DATA), CONSTRAINT(21, Section.POST_DATA), INDEX(22, Section.POST_DATA),
        INDEX_ATTACH(23, Section.POST_DATA), STATISTICS(24, Section.POST_DATA),
        FOREIGN_KEY(25, Section.POST_DATA), TRIGGER(26, Section.POST_DATA), RULE(27, Section.POST_DATA),
        POLICY(28, Section.POST_DATA), TABLE_PROPERTIES(29, Section.POST_DATA), EVENT_TRIGGER(30, Section.POST_DATA),
        REFRESH(40, Section.POST_DATA), DEFAULT_PRIVILEGES(50, Section.POST_DATA);

        final int priority;
        final Section defaultSection;

        Kind(int priority, Section defaultSection) {
            this.priority = priority;
            this.defaultSection = defaultSection;
        }
    }

    final Kind kind;
    final String inventoryKind;
    final String sortName;
    final long sequenceNumber;
    Section section;
    private final List<String> statements = new ArrayList<>();
    private Supplier<List<String>> renderer;
    private final List<String> trailer = new ArrayList<>();
    final Set<DumpItem> deps = new LinkedHashSet<>();
    /** For a clause that can live inside another item's CREATE (a column default, a CHECK): that item. */
    DumpItem host;
    /** Set once the clause was folded into {@link #host}'s CREATE statement. */
    boolean inlined;
    /** Set when the item's statements must not run at all (e.g. a refresh that could only fail). */
    boolean omitted;
    /**
     * The item's first statement in structured form, when it acts on a table a restore may stage (an index or key
     * constraint): see {@link StagedBuild}.
     */
    TableDdl tableDdl;

    DumpItem(Kind kind, String inventoryKind, String sortName, long sequenceNumber) {
        this.kind = kind;
        this.inventoryKind = inventoryKind;
        this.sortName = sortName;
        this.sequenceNumber = sequenceNumber;
        this.section = kind.defaultSection;
    }

    DumpItem sql(String statement) {
        statements.add(statement);
        return this;
    }

    /** Renders the main statements late, once the inlining of defaults and constraints is decided. */
    DumpItem renderer(Supplier<List<String>> supplier) {
        this.renderer = supplier;
        return this;
    }

    /** Statements after the main ones: comments, owner, grants. */
    DumpItem trailer(String statement) {
        trailer.add(statement);
        return this;
    }

    DumpItem dependsOn(DumpItem other) {
        if (other != null && other != this) {
            deps.add(other);
        }
        return this;
    }

    List<String> render() {
        List<String> all = new ArrayList<>();
        if (omitted) {
            return all;
        }
        if (!inlined) {
            all.addAll(statements);
            if (renderer != null) {
                all.addAll(renderer.get());
            }
        }
        all.addAll(trailer);
        return all;
    }

    @Override
    public String toString() {
        return kind + " " + sortName;
    }
}
