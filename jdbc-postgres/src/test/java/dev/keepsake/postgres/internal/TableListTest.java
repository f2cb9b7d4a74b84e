package dev.keepsake.postgres.internal;

import dev.keepsake.postgres.internal.schema.TableRef;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TableListTest {

    private static final String HEADER = TableList.HEADER + "\n";

    @Test
    void aWrittenListReadsBackWithEachTablesFormat() {
        List<TableRef> tables = List.of(new TableRef("public", "a", 8192, List.of("x")),
                new TableRef("public", "tab\there", 1, List.of("y")),
                new TableRef("s", "text only", 1, List.of("z")));
        BitSet binary = new BitSet();
        binary.set(0);
        binary.set(1);
        String text = TableList.write(tables, binary);
        assertThat(text).startsWith(HEADER).contains("\tpublic\ttab\\there\t")
                .contains("data/000002\ts\ttext only\t1\ttext\n");

        assertThat(TableList.binaryTables(text, 3)).isEqualTo(binary);
        assertThat(TableList.binaryTables(TableList.write(List.of(), new BitSet()), 0)).isEqualTo(new BitSet());
    }

    @Test
    void aBadListIsRefusedNamingWhatIsWrong() {
        assertThatThrownBy(() -> TableList.binaryTables(HEADER + "data/000000\tpublic\ta\t1\tbinary-ish\n", 1))
                .hasMessage("line 2 gives the format 'binary-ish' (text or binary expected)");
        assertThatThrownBy(() -> TableList.binaryTables(HEADER + "data/000001\tpublic\ta\t1\tbinary\n", 1))
                .hasMessage("line 2 is not the line of table 0");
        assertThatThrownBy(() -> TableList.binaryTables(HEADER + "data/000000\tpublic\ta\t1\tbinary\t-1\t-\n", 1))
                .hasMessage("line 2 is not the line of table 0");
        assertThatThrownBy(() -> TableList.binaryTables(HEADER + "data/000000\tpublic\ta\t1\tbinary\n", 2))
                .hasMessage("it has 1 table lines where the schema lists 2 tables");
        assertThatThrownBy(() -> TableList.binaryTables("stream\tformat\ndata/000000\tbinary\n", 1))
                .hasMessageContaining("its header is not");
    }
}
