package dev.keepsake.postgres;

import dev.keepsake.postgres.testing.internal.DatabaseContent;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.PostgresServer;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A restore replaces the contents of the schemas in the backup — whatever the target held there — and leaves schemas
 * outside the backup alone; a replaced schema keeps the grants the target gave it.
 */
@ExtendWith(PostgresExtension.class)
class ReplaceSemanticsIT {

    @Test
    void theBackupsSchemasAreReplacedAndOtherSchemasAndSchemaGrantsStay(PostgresServer server, @TempDir Path dir)
            throws Exception {
        String reader = "reader_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (TestDatabase source = server.createDatabase("rep_src");
             TestDatabase target = server.createDatabase("rep_dst")) {
            source.execute("CREATE ROLE " + reader + " NOLOGIN");
            PagilaRoundTripIT.loadPagila(source);
            source.execute("CREATE SCHEMA inventory; CREATE TABLE inventory.item (id integer PRIMARY KEY, name text);"
                    + " INSERT INTO inventory.item VALUES (1, 'from backup'), (2, 'also from backup')");

            // the target: other rows, other tables, other types in the same schemas, plus a schema of its own
            target.execute("ALTER SCHEMA public OWNER TO " + server.superuser());
            target.execute("CREATE TYPE public.mpaa_rating AS ENUM ('X'); CREATE TABLE public.actor (id text);"
                    + " INSERT INTO public.actor VALUES ('not from backup');"
                    + " CREATE VIEW public.actor_view AS SELECT * FROM public.actor;"
                    + " CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1';"
                    + " CREATE SEQUENCE public.stale_seq;"
                    + " CREATE SCHEMA inventory; CREATE TABLE inventory.item (id integer, name text, old boolean);"
                    + " INSERT INTO inventory.item VALUES (1, 'stale', true), (3, 'gone', false);"
                    + " GRANT USAGE ON SCHEMA inventory TO " + reader + ";"
                    + " CREATE SCHEMA reporting; CREATE TABLE reporting.summary (n integer); INSERT INTO reporting.summary VALUES (7)");

            Transfer.restore(PostgresPart.builder().dataSource(target.dataSource()).build(),
                    Transfer.backup(PostgresPart.builder().dataSource(source.dataSource()).build(), dir));

            assertThat(withoutReporting(target)).isEqualTo(withoutReporting(source));
            assertThat(NastyDataRoundTripIT.single(target, "SELECT n FROM reporting.summary")).isEqualTo("7");
            assertThat(NastyDataRoundTripIT.single(target, "SELECT has_schema_privilege('" + reader
                    + "', 'inventory', 'USAGE')")).isEqualTo("t");
        } finally {
            try (Connection c = server.connect("postgres")) {
                c.createStatement().execute("DROP ROLE IF EXISTS " + reader);
            }
        }
    }

    @Test
    void aKeptSchemaWithIdentityAndOwnedSequencesIsReplacedInPlace(PostgresServer server, @TempDir Path dir)
            throws Exception {
        try (TestDatabase db = server.createDatabase("rep_ident")) {
            // public is kept and emptied object by object: identity and OWNED BY sequences go with their tables
            db.execute("CREATE TABLE public.customer (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);"
                    + " CREATE TABLE public.orders (id bigserial PRIMARY KEY,"
                    + " customer_id bigint REFERENCES public.customer, total numeric);"
                    + " CREATE SEQUENCE public.free_seq; SELECT nextval('public.free_seq');"
                    + " INSERT INTO public.customer (name) VALUES ('a'), ('b');"
                    + " INSERT INTO public.orders (customer_id, total) VALUES (1, 10), (2, 20)");
            String before = withoutReporting(db);
            PostgresPart part = PostgresPart.builder().dataSource(db.dataSource()).build();
            var archive = Transfer.backup(part, dir);
            db.execute("INSERT INTO public.customer (name) VALUES ('after the backup');"
                    + " INSERT INTO public.orders (customer_id, total) VALUES (3, 30); SELECT nextval('public.free_seq')");

            Transfer.restore(part, archive);

            assertThat(withoutReporting(db)).isEqualTo(before);
            assertThat(NastyDataRoundTripIT.single(db, "INSERT INTO public.customer (name) VALUES ('next')"
                    + " RETURNING id")).isEqualTo("3");
        }
    }

    private static String withoutReporting(TestDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            DatabaseContent content = DatabaseContent.read(c, true);
            SortedMap<String, String> objects = new TreeMap<>(content.objects());
            objects.keySet().removeIf(k -> k.contains("reporting"));
            SortedMap<String, String> tables = new TreeMap<>(content.tables());
            tables.keySet().removeIf(k -> k.startsWith("reporting."));
            return objects + "\n" + tables;
        }
    }
}
