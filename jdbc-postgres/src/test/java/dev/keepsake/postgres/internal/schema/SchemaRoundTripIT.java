package dev.keepsake.postgres.internal.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keepsake.testkit.Fixtures;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.PostgresServer;
import dev.keepsake.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Round trips judged by pg_dump: extract a database's schema in a snapshot, apply it (with the rows) to a fresh
 * database in one transaction, and require {@code pg_dump --schema-only --no-owner --no-privileges} of both to be
 * identical and every table's rows to be equal.
 */
@ExtendWith(PostgresExtension.class)
class SchemaRoundTripIT {

    static final Path PAGILA = Fixtures.pagilaDirectory();

    @Test
    void pagilaSchemaAndRowsRoundTripIdentically(PostgresServer server) throws Exception {
        try (TestDatabase source = server.createDatabase("pagila"); TestDatabase target = server.createDatabase("restored")) {
            source.executeFile(PAGILA.resolve("pagila-schema.sql"));
            source.executeFile(PAGILA.resolve("pagila-data.sql"));
            SchemaScript script;
            try (Connection a = source.connect(); Connection b = target.connect()) {
                script = RoundTrip.extract(a, SchemaScope.all());
                RoundTrip.apply(SchemaScript.fromText(script.toText()), a, b);
                Map<String, String> expected = RoundTrip.rowDigests(a, script);
                assertThat(RoundTrip.rowDigests(b, script)).isEqualTo(expected);
                assertThat(RoundTrip.rowCounts(b, script)).containsEntry("\"public\".\"rental\"", 16044L)
                        .containsEntry("\"public\".\"payment_p2022_01\"", 723L);
            }
            assertThat(script.tables()).extracting(TableRef::name).contains("payment_p2022_07").doesNotContain("payment");
            assertThat(script.inventory()).containsEntry("view", "7").containsEntry("materialized view", "1")
                    .containsEntry("aggregate", "1").containsEntry("partition", "7");
            RoundTrip.assertSameSchema(endpoint(source), endpoint(target));
        }
    }

    @Test
    void kitchenSinkRoundTripsIdentically(PostgresServer server) throws Exception {
        try (TestDatabase source = server.createDatabase("sink"); TestDatabase target = server.createDatabase("restored")) {
            loadKitchenSink(source);
            try (Connection a = source.connect(); Connection b = target.connect()) {
                SchemaScript script = RoundTrip.extract(a, SchemaScope.all());
                RoundTrip.apply(SchemaScript.fromText(script.toText()), a, b);
                assertThat(RoundTrip.rowDigests(b, script)).isEqualTo(RoundTrip.rowDigests(a, script));
            }
            RoundTrip.assertSameSchema(endpoint(source), endpoint(target));
        }
    }

    @Test
    void kitchenSinkWithOwnersAndPrivilegesRoundTripsIdentically(PostgresServer server) throws Exception {
        try (TestDatabase source = server.createDatabase("sink"); TestDatabase target = server.createDatabase("restored")) {
            loadKitchenSink(source);
            try (Connection a = source.connect(); Connection b = target.connect()) {
                SchemaScript script = RoundTrip.extract(a, SchemaScope.all().withOwnersAndPrivileges(true));
                assertThat(script.preData()).anyMatch(s -> s.startsWith("ALTER TABLE plain.parent_t OWNER TO \"Kitchen \"\"Role\"\"\""));
                RoundTrip.apply(script, a, b);
            }
            RoundTrip.assertSameSchema(endpoint(source), endpoint(target), "--no-comments");
        }
    }

    @Test
    void aMaterializedViewReadingAnUnpopulatedOneIsNotRefreshed(PostgresServer server) throws Exception {
        try (TestDatabase source = server.createDatabase("mv"); TestDatabase target = server.createDatabase("restored")) {
            source.execute("CREATE TABLE public.t (x integer); INSERT INTO public.t VALUES (1);"
                    + " CREATE MATERIALIZED VIEW public.a AS SELECT x FROM public.t;"
                    + " CREATE VIEW public.between_them AS SELECT x FROM public.a;"
                    + " CREATE MATERIALIZED VIEW public.b AS SELECT x FROM public.between_them;"
                    + " CREATE MATERIALIZED VIEW public.c AS SELECT x FROM public.b;"
                    + " CREATE MATERIALIZED VIEW public.d AS SELECT x FROM public.t;"
                    + " REFRESH MATERIALIZED VIEW public.a WITH NO DATA;");
            try (Connection a = source.connect(); Connection b = target.connect()) {
                SchemaScript script = RoundTrip.extract(a, SchemaScope.all());
                assertThat(script.postData()).filteredOn(s -> s.startsWith("REFRESH"))
                        .containsExactly("REFRESH MATERIALIZED VIEW public.d");
                RoundTrip.apply(script, a, b);
                try (Statement st = b.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relkind = 'm' AND relispopulated")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("d");
                }
            }
        }
    }

    static void loadKitchenSink(TestDatabase db) throws Exception {
        createRoles(db);
        db.executeFile(resource("kitchen-sink.sql"));
        if (db.server().majorVersion() >= 14) {
            db.executeFile(resource("kitchen-sink-14.sql"));
        }
        if (db.server().majorVersion() >= 15) {
            db.executeFile(resource("kitchen-sink-15.sql"));
        }
        if (db.server().majorVersion() >= 17) {
            db.executeFile(resource("kitchen-sink-17.sql"));
        }
        if (db.server().majorVersion() >= 18) {
            db.executeFile(resource("kitchen-sink-18.sql"));
        }
        db.executeFile(resource("kitchen-sink-last.sql"));
    }

    /** The roles the kitchen sink grants to; the target's server needs them too. */
    static void createRoles(TestDatabase db) throws Exception {
        db.executeFile(resource("kitchen-sink-roles.sql"));
    }

    static Path resource(String name) throws Exception {
        Path path = Path.of(SchemaRoundTripIT.class.getResource("/schema/" + name).toURI());
        assertThat(Files.isRegularFile(path)).as(path.toString()).isTrue();
        return path;
    }

    static RoundTrip.Endpoint endpoint(TestDatabase db) {
        PostgresServer s = db.server();
        return new RoundTrip.Endpoint(s.host(), s.port(), s.superuser(), s.password(), db.name());
    }
}
