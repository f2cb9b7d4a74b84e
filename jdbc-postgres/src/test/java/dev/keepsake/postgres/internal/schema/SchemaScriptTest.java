package dev.keepsake.postgres.internal.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class SchemaScriptTest {

    private static final TableDdl CREATE = new TableDdl("CREATE TABLE ", " (\n    \"id\" integer\tNOT NULL\n)");
    private static final TableDdl KEY = new TableDdl("ALTER TABLE ONLY ", " ADD CONSTRAINT \"k\" PRIMARY KEY (id)");

    private static SchemaScript sample() {
        return new SchemaScript(150004, List.of("public", "Odd\tSchema\nName\\"), List.of("pg_trgm"),
                List.of("CREATE TABLE \"a\"\"b\" (\"x\ty\" text DEFAULT E'\\\\n')", "CREATE SCHEMA \"ü\r\"",
                        CREATE.on("s", "staged")),
                List.of(new TableRef("public", "t\nx", 8192, List.of("a", "b\tc", "")),
                        new TableRef("s", "empty", 0, List.of()),
                        new TableRef("s", "staged", 0, List.of("id"), new StagedBuild(2, CREATE,
                                new TreeMap<>(Map.of(1, KEY))))),
                List.of("SELECT pg_catalog.setval('s', 1, true)", KEY.on("s", "staged")),
                Map.of("table", "2", "odd\tkind", "1"));
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
        assertThat(sample().toText().lines().filter(l -> l.startsWith("pre\t"))).hasSize(3);
    }

    @Test
    void aStagedBuildReadsBackAndRendersItsStatementsForAnotherSchema() {
        TableRef staged = SchemaScript.fromText(sample().toText()).tables().get(2);
        assertThat(staged.stageable()).isTrue();
        assertThat(staged.stagedBuild().createAt()).isEqualTo(2);
        assertThat(staged.stagedBuild().create().on("keepsake_staging_x", "staged"))
                .isEqualTo("CREATE TABLE \"keepsake_staging_x\".\"staged\" (\n    \"id\" integer\tNOT NULL\n)");
        assertThat(staged.stagedBuild().indexes()).containsOnlyKeys(1);
        assertThat(staged.stagedBuild().indexes().get(1).on("My \"S\"", "staged"))
                .isEqualTo("ALTER TABLE ONLY \"My \"\"S\"\"\".\"staged\" ADD CONSTRAINT \"k\" PRIMARY KEY (id)");
        assertThat(SchemaScript.fromText(sample().toText()).tables().get(0).stageable()).isFalse();
    }

    @Test
    void aStagedBuildMustPointAtItsTablesOwnStatements() {
        SchemaScript s = sample();
        TableRef staged = s.tables().get(2);
        assertThatThrownBy(() -> withTable(s, staged.withStagedBuild(new StagedBuild(1, CREATE, new TreeMap<>()))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Schema script: the staged CREATE of table s.staged is not schema statement 1");
        assertThatThrownBy(() -> withTable(s, staged.withStagedBuild(new StagedBuild(9, CREATE, new TreeMap<>()))))
                .hasMessage("Schema script: the staged CREATE of table s.staged is not schema statement 9");
        assertThatThrownBy(() -> withTable(s, staged.withStagedBuild(new StagedBuild(2, CREATE,
                new TreeMap<>(Map.of(0, KEY)))))).hasMessage("Schema script: a staged index statement of table"
                + " s.staged is not post-data statement 0");
        assertThatThrownBy(() -> withTable(s, new TableRef("public", "staged", 0, List.of("id"),
                staged.stagedBuild()))).as("another table's statement")
                .hasMessageContaining("the staged CREATE of table public.staged");
    }

    private static SchemaScript withTable(SchemaScript s, TableRef third) {
        return new SchemaScript(s.serverVersionNum(), s.schemas(), s.extensions(), s.preData(),
                List.of(s.tables().get(0), s.tables().get(1), third), s.postData(), s.inventory());
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
                Arguments.of("extra field", good.replace("post\tSELECT", "post\tx\tSELECT"), "has 3 fields"),
                Arguments.of("staged create elsewhere", good.replace("staged-create\t2\t", "staged-create\t0\t"),
                        "the staged CREATE of table s.staged is not schema statement 0"),
                Arguments.of("staged create twice", good.replaceFirst("(staged-create\t[^\n]*\n)", "$1$1"),
                        "a staged CREATE must follow its table's line, once"),
                Arguments.of("staged index without create", good.replaceFirst("staged-create\t[^\n]*\n", ""),
                        "a staged index statement must follow its table's staged CREATE"),
                Arguments.of("negative index", good.replace("staged-index\t1\t", "staged-index\t-1\t"),
                        "negative index -1"));
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
