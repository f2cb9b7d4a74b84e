package dev.keepsake.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.TestDatabase;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class ScriptRunnerIT {

    @Test
    void semicolonsInsideQuotesCommentsAndDollarQuotesDoNotSplit(TestDatabase database) throws Exception {
        String script = """
                -- a comment; with a semicolon
                CREATE TABLE "odd;name" (v text);
                /* block; /* nested; */ still comment; */
                INSERT INTO "odd;name" VALUES ('it''s; quoted'), (E'back\\\\slash\\'; quote'), ($$dollar; $x$ $$);
                INSERT INTO "odd;name" VALUES ($tag$ has $$; inside $tag$);
                CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$
                BEGIN
                  RETURN 1; -- ; in a comment
                END;
                $body$;
                CREATE FUNCTION g(a int) RETURNS int LANGUAGE sql
                BEGIN ATOMIC
                  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;
                  SELECT a + 1;
                END;
                SELECT 1 AS "end"; SELECT (1
                ; -- inside parentheses a semicolon does not end the statement in psql either
                """;
        // the last statement is broken on purpose: it must be sent whole (and fail), not split at the semicolon
        assertThatThrownBy(() -> run(database, script))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("line 16 of test");
        assertThat(values(database, "SELECT v FROM \"odd;name\" ORDER BY v")).containsExactlyInAnyOrder(
                "it's; quoted", "back\\slash'; quote", "dollar; $x$ ", " has $$; inside ");
        assertThat(values(database, "SELECT f()::text || g(5)::text")).containsExactly("16");
    }

    @Test
    void copyBlocksAreLoadedThroughTheCopyProtocol(TestDatabase database) throws Exception {
        String script = "CREATE TABLE c (id int, v text);\n"
                + "COPY public.c (id, v) FROM stdin;\n"
                + "1\tsemi;colon\n"
                + "2\t\\N\n"
                + "3\tback\\\\slash\n"
                + "\\.\n"
                + "INSERT INTO c VALUES (4, 'after')";
        assertThat(run(database, script)).isEqualTo(3);
        assertThat(values(database, "SELECT id || '=' || coalesce(v, 'NULL') FROM c ORDER BY id")).containsExactly(
                "1=semi;colon", "2=NULL", "3=back\\slash", "4=after");
    }

    @Test
    void clientSideMetaCommandsAreSkipped(TestDatabase database) throws Exception {
        String script = "\\restrict abc123\n\\set ON_ERROR_STOP on\nCREATE TABLE m (x int);\n\\unrestrict abc123\n";
        assertThat(run(database, script)).isEqualTo(1);
        assertThat(values(database, "SELECT count(*)::text FROM m")).containsExactly("0");
    }

    @Test
    void metaCommandsThatChangeTheTargetAreRefused(TestDatabase database) {
        assertThatThrownBy(() -> run(database, "SELECT 1;\n\\connect other\nSELECT 2;"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("\\connect at line 2 of test");
        assertThatThrownBy(() -> run(database, "\\i other.sql"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("\\i at line 1");
    }

    @Test
    void truncatedScriptsAreReported(TestDatabase database) {
        assertThatThrownBy(() -> run(database, "CREATE TABLE u (v text);\nCOPY u FROM stdin;\nrow\n"))
                .hasMessageContaining("ends without a \\. line");
        assertThatThrownBy(() -> run(database, "SELECT 'unterminated;\n"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("ends inside a quoted string");
        assertThatThrownBy(() -> run(database, "SELECT $a$ never closed"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("dollar-quoted");
    }

    @Test
    void copyToStdoutIsRefused(TestDatabase database) {
        assertThatThrownBy(() -> run(database, "COPY (SELECT 1) TO STDOUT;"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("TO STDOUT");
    }

    private static int run(TestDatabase database, String script) throws Exception {
        try (Connection connection = database.connect()) {
            return ScriptRunner.run(connection, new StringReader(script), "test");
        }
    }

    private static List<String> values(TestDatabase database, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
