package dev.keepsake.postgres.internal.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DumpGraphTest {

    @Test
    void dependenciesWinOverTypePriorityAndNames() {
        DumpGraph g = new DumpGraph();
        DumpItem view = g.add(DumpItem.Kind.VIEW, "view", "a_view").sql("CREATE VIEW a_view");
        DumpItem table = g.add(DumpItem.Kind.TABLE, "table", "z_table").sql("CREATE TABLE z_table");
        DumpItem function = g.add(DumpItem.Kind.FUNCTION, "function", "f").sql("CREATE FUNCTION f");
        view.dependsOn(table);
        function.dependsOn(view); // e.g. a SQL-standard body reading the view
        assertThat(g.order(Section.PRE_DATA)).containsExactly(table, view, function);
    }

    @Test
    void independentItemsFollowPgDumpPrioritiesThenNames() {
        DumpGraph g = new DumpGraph();
        DumpItem b = g.add(DumpItem.Kind.TABLE, "table", "b");
        DumpItem a = g.add(DumpItem.Kind.TABLE, "table", "a");
        DumpItem type = g.add(DumpItem.Kind.TYPE, "enum", "z");
        DumpItem schema = g.add(DumpItem.Kind.SCHEMA, "schema", "s");
        assertThat(g.order(Section.PRE_DATA)).containsExactly(schema, type, a, b);
    }

    @Test
    void aDefaultIsFoldedIntoItsTableUnlessThatMakesACycle() {
        DumpGraph g = new DumpGraph();
        DumpItem table = g.add(DumpItem.Kind.TABLE, "table", "t");
        table.renderer(() -> List.of("CREATE TABLE t"));
        DumpItem sequence = g.add(DumpItem.Kind.SEQUENCE, "sequence", "s").sql("CREATE SEQUENCE s");
        DumpItem plainDefault = g.add(DumpItem.Kind.COLUMN_DEFAULT, null, "t a").sql("ALTER TABLE t ALTER a SET DEFAULT");
        plainDefault.host = table;
        plainDefault.dependsOn(table).dependsOn(sequence);
        DumpItem function = g.add(DumpItem.Kind.FUNCTION, "function", "f").sql("CREATE FUNCTION f");
        function.dependsOn(table); // returns the table's row type
        DumpItem cyclicDefault = g.add(DumpItem.Kind.COLUMN_DEFAULT, null, "t b").sql("ALTER TABLE t ALTER b SET DEFAULT");
        cyclicDefault.host = table;
        cyclicDefault.dependsOn(table).dependsOn(function);

        g.foldSeparableClauses();

        assertThat(plainDefault.inlined).isTrue();
        assertThat(table.deps).contains(sequence);
        assertThat(cyclicDefault.inlined).isFalse();
        List<DumpItem> order = g.order(Section.PRE_DATA);
        assertThat(order).containsSubsequence(sequence, table, function, cyclicDefault);
        assertThat(plainDefault.render()).isEmpty();
        assertThat(cyclicDefault.render()).containsExactly("ALTER TABLE t ALTER b SET DEFAULT");
    }

    @Test
    void aPreDataItemThatNeedsAPostDataItemMovesAfterTheData() {
        DumpGraph g = new DumpGraph();
        DumpItem table = g.add(DumpItem.Kind.TABLE, "table", "t");
        DumpItem pk = g.add(DumpItem.Kind.CONSTRAINT, "primary key", "t pk").dependsOn(table);
        DumpItem view = g.add(DumpItem.Kind.VIEW, "view", "v").dependsOn(pk); // GROUP BY the primary key
        DumpItem viewOnView = g.add(DumpItem.Kind.VIEW, "view", "w").dependsOn(view);
        g.moveDependentsOfPostData();
        assertThat(g.order(Section.PRE_DATA)).containsExactly(table);
        assertThat(g.order(Section.POST_DATA)).containsExactly(pk, view, viewOnView);
    }

    @Test
    void anUnbreakableCycleIsReportedWithItsMembers() {
        DumpGraph g = new DumpGraph();
        DumpItem a = g.add(DumpItem.Kind.VIEW, "view", "a");
        DumpItem b = g.add(DumpItem.Kind.VIEW, "view", "b");
        a.dependsOn(b);
        b.dependsOn(a);
        g.add(DumpItem.Kind.TABLE, "table", "free");
        assertThatThrownBy(() -> g.order(Section.PRE_DATA)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("VIEW a").hasMessageContaining("VIEW b").hasMessageNotContaining("free");
    }

    @Test
    void inventoryCountsOnlyNamedKinds() {
        DumpGraph g = new DumpGraph();
        g.add(DumpItem.Kind.TABLE, "table", "a");
        g.add(DumpItem.Kind.TABLE, "table", "b");
        g.add(DumpItem.Kind.SEQUENCE_SET, null, "s");
        assertThat(g.inventory()).containsExactly(java.util.Map.entry("table", "2"));
    }
}
