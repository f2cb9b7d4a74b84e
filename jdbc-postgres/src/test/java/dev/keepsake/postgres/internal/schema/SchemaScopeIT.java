package dev.keepsake.postgres.internal.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.PostgresServer;
import dev.keepsake.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Include/exclude lists, and the refusals that keep a backup from being silently incomplete. */
@ExtendWith(PostgresExtension.class)
class SchemaScopeIT {

    private static final String TWO_SCHEMAS = """
            CREATE SCHEMA keep;
            CREATE SCHEMA "Other Schema";
            CREATE TABLE keep.kept (id integer PRIMARY KEY, note text);
            CREATE INDEX kept_note ON keep.kept (note);
            CREATE TABLE keep.skipped (id integer PRIMARY KEY, payload text);
            CREATE INDEX skipped_payload ON keep.skipped (payload);
            CREATE FUNCTION keep.trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
            CREATE TRIGGER skipped_trg BEFORE INSERT ON keep.skipped FOR EACH ROW EXECUTE FUNCTION keep.trg();
            CREATE SEQUENCE keep.skipped_seq OWNED BY keep.skipped.id;
            CREATE TABLE "Other Schema".t (id integer);
            INSERT INTO keep.kept VALUES (1, 'a'), (2, 'b');
            INSERT INTO keep.skipped VALUES (1, 'x');
            INSERT INTO "Other Schema".t VALUES (1);
            """;

    @Test
    void includeAndExcludeListsLimitSchemasTablesAndTheirDependents(PostgresServer server) throws Exception {
        try (TestDatabase source = server.createDatabase("scope"); TestDatabase target = server.createDatabase("restored")) {
            source.execute(TWO_SCHEMAS);
            SchemaScope scope = new SchemaScope(List.of("keep"), List.of(), List.of("keep.skipped"), false);
            try (Connection a = source.connect(); Connection b = target.connect()) {
                SchemaScript script = RoundTrip.extract(a, scope);
                assertThat(script.schemas()).containsExactly("keep");
                assertThat(script.tables()).extracting(TableRef::qualifiedName).containsExactly("\"keep\".\"kept\"");
                assertThat(String.join("\n", script.preData()) + String.join("\n", script.postData()))
                        .doesNotContain("skipped_payload").doesNotContain("skipped_trg").doesNotContain("Other Schema")
                        .contains("keep.skipped_seq").doesNotContain("OWNED BY keep.skipped");
                RoundTrip.apply(script, a, b);
                try (Statement st = b.createStatement();
                     ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_catalog.pg_class WHERE relname IN ('skipped', 't')"
                             + " UNION ALL SELECT count(*) FROM keep.kept")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isZero();
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(2);
                }
            }
            RoundTrip.assertSameSchema(endpoint(source), endpoint(target), "--no-owner", "--no-privileges",
                    "-n", "keep", "-T", "keep.skipped");
        }
    }

    @Test
    void excludeSchemasWinsOverTheDefaultOfAllSchemas(PostgresServer server) throws Exception {
        try (TestDatabase source = server.createDatabase("scope")) {
            source.execute(TWO_SCHEMAS);
            try (Connection a = source.connect()) {
                SchemaScript script = RoundTrip.extract(a, new SchemaScope(List.of(), List.of("Other Schema"), List.of(), false));
                assertThat(script.schemas()).contains("keep", "public").doesNotContain("Other Schema");
                assertThat(script.tables()).extracting(TableRef::name).containsExactlyInAnyOrder("kept", "skipped");
            }
        }
    }

    @Test
    void anExtensionOutsideTheScopeIsStillCreatedWhenObjectsInScopeNeedIt(PostgresServer server) throws Exception {
        try (TestDatabase source = server.createDatabase("scope"); TestDatabase target = server.createDatabase("restored")) {
            source.execute("CREATE EXTENSION citext WITH SCHEMA public; CREATE EXTENSION hstore WITH SCHEMA public;"
                    + " CREATE SCHEMA app; CREATE TABLE app.t (id integer, email public.citext);"
                    + " INSERT INTO app.t VALUES (1, 'A@example.com');");
            try (Connection a = source.connect(); Connection b = target.connect()) {
                SchemaScript script = RoundTrip.extract(a, new SchemaScope(List.of("app"), List.of(), List.of(), false));
                assertThat(script.extensions()).containsExactly("citext");
                assertThat(script.preData()).contains("CREATE EXTENSION IF NOT EXISTS \"citext\" WITH SCHEMA \"public\"");
                RoundTrip.apply(script, a, b);
                assertThat(RoundTrip.rowDigests(b, script)).isEqualTo(RoundTrip.rowDigests(a, script));
            }
            RoundTrip.assertSameSchema(endpoint(source), endpoint(target), "--no-owner", "--no-privileges", "-n", "app");
        }
    }

    @Test
    void objectsThatNeedAnExcludedTableAreRefusedByName(PostgresServer server) throws Exception {
        try (TestDatabase source = server.createDatabase("scope")) {
            source.execute(TWO_SCHEMAS + "CREATE VIEW keep.v AS SELECT payload FROM keep.skipped;"
                    + "CREATE TABLE keep.child (id integer REFERENCES keep.skipped);");
            try (Connection a = source.connect()) {
                assertThatThrownBy(() -> RoundTrip.extract(a,
                        new SchemaScope(List.of(), List.of(), List.of("keep.skipped"), false)))
                        .isInstanceOf(UnsupportedSchemaException.class)
                        .hasMessageContaining("VIEW keep.v needs table keep.skipped")
                        .hasMessageContaining("keep.child")
                        .hasMessageContaining("exclude their schemas or tables");
            }
        }
    }

    @Test
    void objectsThatNeedAnExcludedSchemaAreRefusedByName(PostgresServer server) throws Exception {
        try (TestDatabase source = server.createDatabase("scope")) {
            source.execute("CREATE SCHEMA types; CREATE TYPE types.mood AS ENUM ('a'); CREATE SCHEMA app;"
                    + " CREATE TABLE app.t (m types.mood);");
            try (Connection a = source.connect()) {
                assertThatThrownBy(() -> RoundTrip.extract(a, new SchemaScope(List.of("app"), List.of(), List.of(), false)))
                        .isInstanceOf(UnsupportedSchemaException.class)
                        .hasMessageContaining("TABLE app.t needs type types.mood");
            }
        }
    }

    @Test
    void aPartitionOfAnExcludedTableIsRefusedByName(PostgresServer server) throws Exception {
        try (TestDatabase source = server.createDatabase("scope")) {
            source.execute("CREATE TABLE public.p (id integer) PARTITION BY RANGE (id);"
                    + " CREATE TABLE public.\"P One\" PARTITION OF public.p FOR VALUES FROM (0) TO (10);");
            try (Connection a = source.connect()) {
                assertThatThrownBy(() -> RoundTrip.extract(a, new SchemaScope(List.of(), List.of(), List.of("public.p"), false)))
                        .isInstanceOf(UnsupportedSchemaException.class)
                        .hasMessageContaining("table public.\"P One\" inherits from or is a partition of public.p");
            }
        }
    }

    @Test
    void aNonSuperuserOwnerCanExtractItsSchema(PostgresServer server) throws Exception {
        String role = "keepsake_app_" + Long.toHexString(System.nanoTime());
        try (TestDatabase source = server.createDatabase("owned"); TestDatabase target = server.createDatabase("restored")) {
            source.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'app-secret';"
                    + " CREATE SCHEMA app AUTHORIZATION " + role + ";"
                    + " SET ROLE " + role + ";"
                    + " CREATE TABLE app.t (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text DEFAULT 'x');"
                    + " CREATE SEQUENCE app.s; SELECT nextval('app.s');"
                    + " CREATE VIEW app.v AS SELECT * FROM app.t;"
                    + " CREATE FUNCTION app.f() RETURNS integer LANGUAGE sql AS 'SELECT 1';"
                    + " CREATE POLICY p ON app.t USING (true); ALTER TABLE app.t ENABLE ROW LEVEL SECURITY;"
                    + " INSERT INTO app.t (v) VALUES ('a'), ('b'); RESET ROLE;");
            java.util.Properties asApp = new java.util.Properties();
            asApp.setProperty("user", role);
            asApp.setProperty("password", "app-secret");
            try (Connection a = java.sql.DriverManager.getConnection(source.jdbcUrl(), asApp); Connection b = target.connect()) {
                SchemaScript script = RoundTrip.extract(a, new SchemaScope(List.of("app"), List.of(), List.of(), false));
                assertThat(script.postData()).contains("SELECT pg_catalog.setval('app.s', 1, true)");
                RoundTrip.apply(script, a, b);
                assertThat(RoundTrip.rowDigests(b, script)).isEqualTo(RoundTrip.rowDigests(a, script));
            }
            RoundTrip.assertSameSchema(endpoint(source), endpoint(target), "--no-owner", "--no-privileges", "-n", "app");
        } finally {
            try (Connection admin = server.connect("postgres"); Statement st = admin.createStatement()) {
                st.execute("DROP ROLE IF EXISTS " + role);
            }
        }
    }

    @Test
    void largeObjectsAreRefusedWithTheirCount(TestDatabase db) throws Exception {
        db.execute("SELECT lo_create(0); SELECT lo_create(0); CREATE TABLE t (id integer);");
        try (Connection c = db.connect()) {
            assertThatThrownBy(() -> RoundTrip.extract(c, SchemaScope.all()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("2 large objects")
                    .hasMessageContaining("not supported");
        }
    }

    @Test
    void foreignTablesAndCBaseTypesAreRefusedByName(TestDatabase db) throws Exception {
        db.execute("CREATE FOREIGN DATA WRAPPER dummy_fdw; CREATE SERVER dummy_server FOREIGN DATA WRAPPER dummy_fdw;"
                + " CREATE FOREIGN TABLE public.\"Remote Table\" (id integer) SERVER dummy_server;");
        try (Connection c = db.connect()) {
            assertThatThrownBy(() -> RoundTrip.extract(c, SchemaScope.all()))
                    .isInstanceOf(UnsupportedSchemaException.class)
                    .hasMessageContaining("foreign tables are not supported: public.\"Remote Table\"");
        }
    }

    @Test
    void conversionsAndLanguagesWithoutExtensionAreRefusedByName(TestDatabase db) throws Exception {
        db.execute("CREATE FUNCTION public.noop_handler() RETURNS language_handler LANGUAGE internal AS 'fmgr_sql_validator';"
                + " CREATE LANGUAGE \"My Lang\" HANDLER public.noop_handler;"
                + " CREATE CONVERSION public.\"My Conv\" FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;");
        try (Connection c = db.connect()) {
            assertThatThrownBy(() -> RoundTrip.extract(c, SchemaScope.all()))
                    .isInstanceOf(UnsupportedSchemaException.class)
                    .hasMessageContaining("conversions are not supported: public.\"My Conv\"")
                    .hasMessageContaining("procedural languages created without an extension are not supported: \"My Lang\"");
        }
    }

    @Test
    void extractionRefusesAConnectionInAutoCommitMode(TestDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            assertThatThrownBy(() -> new SchemaExtractor(SchemaScope.all()).extract(c))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("auto-commit");
        }
    }

    @Test
    void extractionLeavesTheCallersSearchPathAsItWas(TestDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                st.execute("SET LOCAL search_path = pg_catalog, \"$user\", public");
                new SchemaExtractor(SchemaScope.all()).extract(c);
                try (ResultSet rs = st.executeQuery("SHOW search_path")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("pg_catalog, \"$user\", public");
                }
            }
            c.rollback();
        }
    }

    @Test
    void aRefusalLeavesTheCallersSearchPathAndTransactionUsable(TestDatabase db) throws Exception {
        db.execute("SELECT lo_create(0)");
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                st.execute("SET LOCAL search_path = public");
                assertThatThrownBy(() -> new SchemaExtractor(SchemaScope.all()).extract(c))
                        .isInstanceOf(UnsupportedSchemaException.class);
                try (ResultSet rs = st.executeQuery("SHOW search_path")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("public");
                }
            }
            c.rollback();
        }
    }

    static RoundTrip.Endpoint endpoint(TestDatabase db) {
        return SchemaRoundTripIT.endpoint(db);
    }
}
