package dev.keepsake.postgres.internal.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keepsake.testkit.PostgresServer;
import dev.keepsake.testkit.TestDatabase;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/**
 * A schema extracted from an older major applies to a newer one: 13 to 15 judged by pg_dump (15 reads both), 13 to 17
 * by the catalog inventory (extracting the restored database again) and by the rows.
 */
class CrossMajorSchemaIT {

    @Test
    void kitchenSinkFrom13RestoresInto15Identically() throws Exception {
        try (TestDatabase source = PostgresServer.shared(13).createDatabase("sink13");
             TestDatabase target = PostgresServer.shared(15).createDatabase("restored15")) {
            assertThat(source.server().majorVersion()).isEqualTo(13);
            SchemaRoundTripIT.loadKitchenSink(source);
            SchemaRoundTripIT.createRoles(target);
            try (Connection a = source.connect(); Connection b = target.connect()) {
                SchemaScript script = RoundTrip.extract(a, SchemaScope.all());
                assertThat(script.serverMajorVersion()).isEqualTo(13);
                RoundTrip.apply(script, a, b);
                assertThat(RoundTrip.rowDigests(b, script)).isEqualTo(RoundTrip.rowDigests(a, script));
            }
            // PostgreSQL 14 gives every range type a multirange type, which pg_dump names; 13 has none
            RoundTrip.assertSameSchema(SchemaRoundTripIT.endpoint(source), SchemaRoundTripIT.endpoint(target),
                    dump -> dump.replaceAll("\n    multirange_type_name = [^\n]*,", ""));
        }
    }

    @Test
    void kitchenSinkFrom13RestoresInto17WithTheSameInventoryAndRows() throws Exception {
        try (TestDatabase source = PostgresServer.shared(13).createDatabase("sink13");
             TestDatabase target = PostgresServer.shared(17).createDatabase("restored17")) {
            assertThat(target.server().majorVersion()).isEqualTo(17);
            SchemaRoundTripIT.loadKitchenSink(source);
            SchemaRoundTripIT.createRoles(target);
            try (Connection a = source.connect(); Connection b = target.connect()) {
                SchemaScript script = RoundTrip.extract(a, SchemaScope.all());
                RoundTrip.apply(script, a, b);
                assertThat(RoundTrip.rowDigests(b, script)).isEqualTo(RoundTrip.rowDigests(a, script));
                SchemaScript again = RoundTrip.extract(b, SchemaScope.all());
                assertThat(again.inventory()).isEqualTo(script.inventory());
                assertThat(again.tables()).isEqualTo(script.tables().stream()
                        .map(t -> again.tables().stream().filter(u -> u.qualifiedName().equals(t.qualifiedName()))
                                .findFirst().orElse(t)).toList());
                assertThat(again.tables()).extracting(TableRef::qualifiedName)
                        .containsExactlyElementsOf(script.tables().stream().map(TableRef::qualifiedName).toList());
                assertThat(again.tables()).extracting(TableRef::columns)
                        .containsExactlyElementsOf(script.tables().stream().map(TableRef::columns).toList());
            }
        }
    }

    @Test
    void pagilaFrom15RestoresInto17AndExtractsAgainToTheSameStatements() throws Exception {
        try (TestDatabase source = PostgresServer.shared(15).createDatabase("pagila15");
             TestDatabase target = PostgresServer.shared(17).createDatabase("restored17")) {
            source.executeFile(SchemaRoundTripIT.PAGILA.resolve("pagila-schema.sql"));
            try (Connection a = source.connect(); Connection b = target.connect()) {
                SchemaScript script = RoundTrip.extract(a, SchemaScope.all());
                RoundTrip.apply(script, a, b);
                SchemaScript again = RoundTrip.extract(b, SchemaScope.all());
                assertThat(again.inventory()).isEqualTo(script.inventory());
                assertThat(again.postData()).isEqualTo(script.postData());
                assertThat(again.preData()).isEqualTo(script.preData());
            }
        }
    }
}
