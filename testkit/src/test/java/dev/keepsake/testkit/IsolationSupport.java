package dev.keepsake.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Shared checks of {@link IsolationFirstIT} and {@link IsolationSecondIT}: two test classes in one JVM. */
final class IsolationSupport {

    /** Every database the extension handed to a test method of either class in this JVM. */
    static final Set<String> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private IsolationSupport() {
    }

    static void assertFreshAndPrivate(TestDatabase database, String owner) throws SQLException {
        assertThat(HANDED_OUT.add(database.name())).as("database names are never reused").isTrue();
        try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
            assertThat(TestDatabaseIT.count(statement,
                    "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")).isZero();
            statement.execute("CREATE TABLE isolation_marker (owner text)");
            statement.execute("INSERT INTO isolation_marker VALUES ('" + owner + "')");
            assertThat(TestDatabaseIT.count(statement, "SELECT count(*) FROM isolation_marker")).isEqualTo(1);
        }
    }

    static void assertEarlierDatabasesWereDropped(TestDatabase current) throws SQLException {
        for (String name : HANDED_OUT) {
            if (!name.equals(current.name())) {
                assertThat(TestDatabaseIT.exists(current.server(), name)).as(name + " dropped").isFalse();
            }
        }
    }
}
