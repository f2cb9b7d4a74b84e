package dev.keepsake.postgres.internal.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keepsake.testkit.PostgresServer;
import dev.keepsake.testkit.TestDatabase;
import java.sql.Connection;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * On majors the local pg_dump (15) cannot read, the oracle is the extraction itself: the kitchen sink (with that
 * major's additions) is restored into a fresh database of the same major, and extracting that database again must give
 * exactly the same statements, tables and inventory, with the same rows.
 */
class NewerMajorsSchemaIT {

    /** Points at the first statement that differs, with its neighbours, rather than printing both lists. */
    static void assertSameStatements(String what, java.util.List<String> actual, java.util.List<String> expected) {
        for (int i = 0; i < Math.min(actual.size(), expected.size()); i++) {
            assertThat(actual.get(i)).as(what + " statement " + i + " (previous: " + (i > 0 ? expected.get(i - 1) : "none")
                    + ")").isEqualTo(expected.get(i));
        }
        assertThat(actual).as(what).hasSameSizeAs(expected);
    }

    @ParameterizedTest(name = "PostgreSQL {0}")
    @ValueSource(ints = {14, 16, 17, 18})
    void kitchenSinkRestoresToAFixedPoint(int major) throws Exception {
        PostgresServer server = PostgresServer.shared(major);
        try (TestDatabase source = server.createDatabase("sink"); TestDatabase target = server.createDatabase("restored")) {
            assertThat(server.majorVersion()).isEqualTo(major);
            SchemaRoundTripIT.loadKitchenSink(source);
            try (Connection a = source.connect(); Connection b = target.connect()) {
                SchemaScript script = RoundTrip.extract(a, SchemaScope.all().withOwnersAndPrivileges(true));
                RoundTrip.apply(script, a, b);
                SchemaScript again = RoundTrip.extract(b, SchemaScope.all().withOwnersAndPrivileges(true));
                assertSameStatements("preData", again.preData(), script.preData());
                assertSameStatements("postData", again.postData(), script.postData());
                assertThat(again.inventory()).isEqualTo(script.inventory());
                assertThat(again.tables()).extracting(TableRef::qualifiedName, TableRef::columns)
                        .containsExactlyElementsOf(script.tables().stream()
                                .map(t -> org.assertj.core.groups.Tuple.tuple(t.qualifiedName(), t.columns())).toList());
                assertThat(RoundTrip.rowDigests(b, script)).isEqualTo(RoundTrip.rowDigests(a, script));
            }
        }
    }
}
