package dev.keepsake.postgres.internal.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class SchemaScriptTest {

    private static SchemaScript sample() {
        return new SchemaScript(150004, List.of("public", "Odd\tSchema\nName\\"), List.of("pg_trgm"),
                List.of("CREATE TABLE \"a\"\"b\" (\"x\ty\" text DEFAULT E'\\\\n')", "CREATE SCHEMA \"ü\r\""),
                List.of(new TableRef("public", "t\nx", 8192, List.of("a", "b\tc", "")),
                        new TableRef("s", "empty", 0, List.of())),
                List.of("SELECT pg_catalog.setval('s', 1, true)"), Map.of("table", "2", "odd\tkind", "1"));
    }

    @Test
    void textFormReadsBackToAnEqualScript() {
        SchemaScript script = sample();
        assertThat(SchemaScript.fromText(script.toText())).isEqualTo(script);
        assertThat(script.toText()).startsWith("keepsake-schema-script\t1\n").endsWith("end\n");
    }

    @Test
    void textFormIsOneRecordPerLine() {
        assertThat(sample().toText().lines()).allMatch(l -> !l.contains("\r"));
        assertThat(sample().toText().lines().filter(l -> l.startsWith("pre\t"))).hasSize(2);
    }

    static Stream<Arguments> damaged() {
        String good = sample().toText();
        return Stream.of(
                Arguments.of("empty", "", "Not a Keepsake schema script"),
                Arguments.of("other file", "hello\n", "Not a Keepsake schema script"),
                Arguments.of("newer format", good.replace("keepsake-schema-script\t1", "keepsake-schema-script\t2"),
                        "format 2 is not supported"),
                Arguments.of("truncated", good.substring(0, good.indexOf("post\t")), "truncated"),
                Arguments.of("unknown record", good.replace("\npost\t", "\nmystery\t"), "unknown record 'mystery'"),
                Arguments.of("bad escape", good.replace("pre\tCREATE SCHEMA", "pre\t\\qCREATE SCHEMA"), "unknown escape"),
                Arguments.of("bad number", good.replace("\t8192\t", "\tlots\t"), "malformed number"),
                Arguments.of("trailing content", good + "pre\tDROP TABLE x\n", "content after its end marker"),
                Arguments.of("missing version", good.replaceFirst("server_version_num\t150004\n", ""),
                        "lacks server_version_num"),
                Arguments.of("extra field", good.replace("post\tSELECT", "post\tx\tSELECT"), "has 3 fields"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damaged")
    void damagedTextIsRefusedWithAPreciseMessage(String name, String text, String message) {
        assertThatThrownBy(() -> SchemaScript.fromText(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void tableRefQuotesEveryIdentifier() {
        TableRef t = new TableRef("My \"Schema\"", "tab", 1, List.of("a\"b", "größe"));
        assertThat(t.qualifiedName()).isEqualTo("\"My \"\"Schema\"\"\".\"tab\"");
        assertThat(t.columnList()).isEqualTo("(\"a\"\"b\", \"größe\")");
    }

    @Test
    void scopeValidatesEveryEntryInOneMessage() {
        assertThatThrownBy(() -> new SchemaScope(List.of("pg_catalog"), List.of(), List.of("nodot", "x."), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'pg_catalog'").hasMessageContaining("'nodot'").hasMessageContaining("'x.'");
    }

    @Test
    void scopeCoversNonSystemSchemasByDefaultAndHonoursExclusions() {
        SchemaScope all = SchemaScope.all();
        assertThat(all.coversSchema("public")).isTrue();
        assertThat(all.coversSchema("pg_toast")).isFalse();
        assertThat(all.coversSchema("information_schema")).isFalse();
        SchemaScope some = new SchemaScope(List.of("a", "b"), List.of("b"), List.of("a.t"), false);
        assertThat(some.coversSchema("a")).isTrue();
        assertThat(some.coversSchema("b")).isFalse();
        assertThat(some.coversSchema("c")).isFalse();
        assertThat(some.excludesTable("a", "t")).isTrue();
        assertThat(some.excludesTable("a", "u")).isFalse();
    }

    @Test
    void literalsMeanTheSameWhateverStandardConformingStringsIs() {
        assertThat(SqlText.literal("it's")).isEqualTo("'it''s'");
        assertThat(SqlText.literal("a\\b'")).isEqualTo("E'a\\\\b'''");
        assertThat(SqlText.ident("a\"b")).isEqualTo("\"a\"\"b\"");
        assertThat(SqlText.stripSemicolon(" SELECT 1;\n ")).isEqualTo(" SELECT 1");
    }
}
