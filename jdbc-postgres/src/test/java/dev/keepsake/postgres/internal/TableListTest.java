package dev.keepsake.postgres.internal;

import dev.keepsake.postgres.internal.schema.TableRef;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableListTest {

    private static final String HEADER = TableList.HEADER_STAGEABLE + "\n";

    @Test
    void aWrittenListReadsBackWithFormatsCreateAndIndexStatements() {
        List<TableRef> tables = List.of(new TableRef("public", "a", 8192, List.of("x")).staged(7, List.of(3, 4)),
                new TableRef("public", "tab\there", 1, List.of("y")).staged(2, List.of()),
                new TableRef("s", "text only", 1, List.of("z")).staged(5, List.of(1)));
        BitSet binary = new BitSet();
        binary.set(0);
        binary.set(1);
        assertThat(TableList.anyStageable(tables, binary)).isTrue();
        String text = TableList.write(tables, binary, true);
        assertThat(text).startsWith(HEADER).contains("\tpublic\ttab\\there\t")
                .contains("\ttext only\t1\ttext\t-1\t-\n"); // a text table is never staged

        TableList list = TableList.parse(text, 3, true, 10, 5);
        assertThat(list.binary()).isEqualTo(binary);
        assertThat(list.createStatement()).containsExactly(7, 2, -1);
        assertThat(list.stagedPost()[0]).containsExactly(3, 4);
        assertThat(list.stagedPost()[1]).isEmpty();
        assertThat(list.stagedPost()[2]).isEmpty();

        String layout2 = TableList.write(tables, binary, false);
        assertThat(TableList.parse(layout2, 3, false, 10, 5).createStatement()).containsExactly(-1, -1, -1);
        BitSet first = new BitSet();
        first.set(0);
        assertThat(TableList.anyStageable(List.of(new TableRef("public", "a", 1, List.of("x"))), first)).isFalse();
        assertThat(TableList.anyStageable(tables.subList(2, 3), new BitSet())).as("text only").isFalse();
    }

    @Test
    void badCreateAndIndexStatementsAreRefusedNamingTheLine() {
        assertThatThrownBy(() -> parse("data/000000\tpublic\ta\t1\tbinary\t1\t5\n"))
                .hasMessage("line 2 gives the index statements '5' ('-', or indexes of post-data statements of a"
                        + " stageable table, expected)");
        assertThatThrownBy(() -> parse("data/000000\tpublic\ta\t1\tbinary\t-1\t1\n"))
                .hasMessageContaining("gives the index statements '1'");
        assertThatThrownBy(() -> parse("data/000000\tpublic\ta\t1\tbinary\t10\t-\n"))
                .hasMessage("line 2 gives the create statement '10' (-1, or the index of a schema statement of a"
                        + " binary table, expected)");
        assertThatThrownBy(() -> parse("data/000000\tpublic\ta\t1\ttext\t3\t-\n"))
                .hasMessageContaining("gives the create statement '3'");
        assertThatThrownBy(() -> parse("data/000000\tpublic\ta\t1\tbinary\tx\t-\n"))
                .hasMessageContaining("gives the create statement 'x'");
        assertThatThrownBy(() -> parse("data/000000\tpublic\ta\t1\tbinary\n"))
                .hasMessage("line 2 is not the line of table 0");
        assertThatThrownBy(() -> TableList.parse(TableList.HEADER + "\ndata/000000\tpublic\ta\t1\tbinary\t1\t-\n",
                1, true, 10, 5)).hasMessageContaining("its header is not");
    }

    private static TableList parse(String line) {
        return TableList.parse(HEADER + line, 1, true, 10, 5);
    }
}
