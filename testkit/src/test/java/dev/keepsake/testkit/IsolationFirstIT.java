package dev.keepsake.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class IsolationFirstIT {

    private static TestDatabase classDatabase;

    @BeforeAll
    static void classLevelDatabase(TestDatabase database) {
        classDatabase = database;
    }

    @RepeatedTest(2)
    void eachTestGetsAFreshPrivateDatabase(TestDatabase database) throws SQLException {
        assertThat(database.name()).isNotEqualTo(classDatabase.name()).startsWith("isolationfirstit_");
        assertThat(TestDatabaseIT.exists(database.server(), classDatabase.name()))
                .as("the class-level database lives until the class is done").isTrue();
        IsolationSupport.assertEarlierDatabasesWereDropped(database);
        IsolationSupport.assertFreshAndPrivate(database, "First");
    }
}
