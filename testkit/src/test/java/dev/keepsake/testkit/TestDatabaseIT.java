package dev.keepsake.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class TestDatabaseIT {

    @Test
    void loadsThePagilaDumpCompletely(TestDatabase database) throws SQLException {
        Fixtures.loadPagila(database);

        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("actor", 200L);
        expected.put("film", 1000L);
        expected.put("film_actor", 5462L);
        expected.put("inventory", 4581L);
        expected.put("customer", 599L);
        expected.put("rental", 16044L);
        expected.put("payment_p2022_01", 723L);
        expected.put("payment_p2022_07", 2334L);
        expected.put("payment", 723L + 2401 + 2713 + 2547 + 2677 + 2654 + 2334);
        try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
            for (Map.Entry<String, Long> table : expected.entrySet()) {
                assertThat(count(statement, "SELECT count(*) FROM public." + table.getKey()))
                        .as(table.getKey()).isEqualTo(table.getValue());
            }
            assertThat(count(statement, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.payment'::regclass"))
                    .isEqualTo(7);
            // a dollar-quoted function from the schema works, and setval ran
            assertThat(count(statement, "SELECT count(*) FROM public.film_in_stock(1, 1)")).isGreaterThan(0);
            assertThat(count(statement, "SELECT last_value FROM public.film_film_id_seq")).isEqualTo(1000);
            // a non-ASCII identifier survived the UTF-8 read
            assertThat(count(statement, "SELECT count(*) FROM pg_type WHERE typname = 'bıgınt'")).isEqualTo(1);
        }
    }

    @Test
    void executeRunsSeveralStatementsAndNamesTheLineOfAFailure(TestDatabase database) throws SQLException {
        database.execute("CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t VALUES (1);\n\nINSERT INTO t VALUES (2);");
        try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
            assertThat(count(statement, "SELECT count(*) FROM t")).isEqualTo(2);
        }
        assertThatThrownBy(() -> database.execute("SELECT 1;\nSELECT 2;\nSELECT * FROM missing_table;"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("line 3 of inline SQL")
                .hasMessageContaining("missing_table")
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42P01"));
    }

    @Test
    void executeFileFailsClearlyForAMissingFile(TestDatabase database) {
        assertThatThrownBy(() -> database.executeFile(Path.of("/nonexistent/script.sql")))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("/nonexistent/script.sql");
    }

    @Test
    void closeDropsTheDatabaseEvenWhileSessionsAreOpen(PostgresServer server) throws SQLException {
        TestDatabase database = server.createDatabase("dropme");
        try (Connection open = database.connect()) {
            database.close();
            database.close(); // idempotent
            assertThat(exists(server, database.name())).isFalse();
            assertThat(open.isValid(2)).isFalse();
        }
    }

    @Test
    void databasesAreFreshAndSeparate(PostgresServer server) throws SQLException {
        try (TestDatabase first = server.createDatabase(); TestDatabase second = server.createDatabase()) {
            assertThat(first.name()).isNotEqualTo(second.name()).startsWith("test_");
            first.execute("CREATE TABLE only_in_first (x int)");
            try (Connection connection = second.connect(); Statement statement = connection.createStatement()) {
                assertThat(count(statement, "SELECT count(*) FROM pg_class WHERE relname = 'only_in_first'"))
                        .isZero();
            }
            assertThat(first.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + server.port() + "/" + first.name());
        }
    }

    @Test
    void createDatabaseRejectsAnInvalidPrefix(PostgresServer server) {
        assertThatThrownBy(() -> server.createDatabase("Bad-Prefix"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'Bad-Prefix'");
    }

    static boolean exists(PostgresServer server, String database) throws SQLException {
        try (Connection connection = server.connect("postgres");
             Statement statement = connection.createStatement()) {
            return count(statement, "SELECT count(*) FROM pg_database WHERE datname = '" + database + "'") == 1;
        }
    }

    static long count(Statement statement, String sql) throws SQLException {
        try (ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
