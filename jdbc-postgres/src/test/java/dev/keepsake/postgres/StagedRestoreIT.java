package dev.keepsake.postgres;

import dev.keepsake.postgres.testing.RoundTripAssertion;
import dev.keepsake.core.spi.PartReader;
import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.postgres.internal.PartAttributes;
import dev.keepsake.postgres.internal.schema.SchemaExtractor;
import dev.keepsake.postgres.internal.schema.SchemaScope;
import dev.keepsake.postgres.internal.schema.SchemaScript;
import dev.keepsake.postgres.internal.schema.StagedBuild;
import dev.keepsake.postgres.internal.schema.TableRef;
import dev.keepsake.testfixtures.EditablePartArchive;
import dev.keepsake.testfixtures.TestJobContext;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.PostgresServer;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Restores whose big tables are staged: loaded on connections of their own into staging schemas before the restore's
 * transaction, then moved into place by it. The result must be the backup, exactly (pg_dump and row digests), with no
 * staging schema left, whatever the mix of stageable and other tables.
 */
@ExtendWith(PostgresExtension.class)
class StagedRestoreIT {

    @Test
    void pagilaRestoredWithItsTablesStagedIsIdenticalByPgDumpAndByRows(PostgresServer server, @TempDir Path dir)
            throws Exception {
        try (TestDatabase source = server.createDatabase("staged_src");
             TestDatabase target = server.createDatabase("staged_dst")) {
            PagilaRoundTripIT.loadPagila(source);
            target.execute("ALTER SCHEMA public OWNER TO " + server.superuser());
            var archive = Transfer.backup(PostgresPart.builder().dataSource(source.dataSource()).build(), dir);
            assertThat(archive.attributes).containsEntry(PartAttributes.LAYOUT, "1");
            Map<String, Boolean> stageable = stageable(archive);
            // built-in types with a serial default: stageable; an enum column (film.rating): loaded in the transaction
            assertThat(stageable.get("public.actor")).isTrue();
            assertThat(stageable.get("public.film")).isFalse();

            CountingDataSource counting = new CountingDataSource(target.dataSource());
            Transfer.restore(PostgresPart.builder().dataSource(counting.proxy()).restoreParallelism(2)
                    .restoreStagingMinBytes(0).build(), archive);

            assertThat(counting.opened.get()).as("the restore's connection and two loading connections").isEqualTo(3);
            RoundTripAssertion.assertSameContent(source.dataSource(), target.dataSource());
            assertThat(stagingSchemas(target)).isEmpty();
            assumeTrue(PgDump.canDump(server), "local pg_dump cannot read this server");
            assertThat(PgDump.everything(target)).isEqualTo(PgDump.everything(source));
        }
    }

    @Test
    void nastyNamesAndDataRoundTripExactlyWithEveryTableStaged(PostgresServer server, @TempDir Path dir)
            throws Exception {
        try (TestDatabase source = server.createDatabase("staged_src");
             TestDatabase target = server.createDatabase("staged_dst")) {
            NastyFixture.loadNasty(source);
            // a stageable table with a quoted name, a default, a CHECK and a non-default collation in two schemas
            source.execute("CREATE TABLE " + NastyFixture.NASTY_SCHEMA + ".\"Same Name\" (id bigint NOT NULL"
                    + " DEFAULT 7, t text COLLATE \"C\" CHECK (t <> 'forbidden'), n numeric(9, 2))"
                    + " WITH (fillfactor = 90);"
                    + " CREATE TABLE public.\"Same Name\" (id bigint, t text);"
                    + " INSERT INTO " + NastyFixture.NASTY_SCHEMA + ".\"Same Name\" SELECT i, 'row ' || i, i / 3.0"
                    + " FROM generate_series(1, 5000) i;"
                    + " INSERT INTO public.\"Same Name\" VALUES (1, 'public one')");
            var archive = Transfer.backup(PostgresPart.builder().dataSource(source.dataSource())
                    .chunkSize(64 * 1024).parallelism(3).build(), dir);
            assertThat(stageable(archive).values()).filteredOn(v -> v).hasSizeGreaterThan(2);

            Transfer.restore(PostgresPart.builder().dataSource(target.dataSource()).restoreParallelism(3)
                    .restoreStagingMinBytes(0).build(), archive);

            RoundTripAssertion.assertSameContent(source.dataSource(), target.dataSource());
            assertThat(stagingSchemas(target)).isEmpty();
            assertThatThrownBy(() -> target.execute("INSERT INTO " + NastyFixture.NASTY_SCHEMA
                    + ".\"Same Name\" (t) VALUES ('forbidden')")).hasMessageContaining("check constraint");
            assertThat(NastyDataRoundTripIT.single(target, "SELECT id FROM public.\"Same Name\"")).isEqualTo("1");
            assumeTrue(PgDump.canDump(server), "local pg_dump cannot read this server");
            assertThat(PgDump.everything(target)).isEqualTo(PgDump.everything(source));
        }
    }

    @Test
    void theExtractorStagesOnlyPlainTablesOfBuiltInTypesAndWritesTheirDefaultsAndChecksSeparately(
            PostgresServer server) throws Exception {
        try (TestDatabase db = server.createDatabase("staged_schema")) {
            db.execute("CREATE TYPE public.mood AS ENUM ('ok');"
                    + " CREATE SEQUENCE public.s;"
                    + " CREATE COLLATION public.\"C2\" (locale = 'C');"
                    + " CREATE TABLE public.plain (id integer DEFAULT nextval('public.s') NOT NULL,"
                    + "   c text CONSTRAINT c_not_empty CHECK (c <> ''), d text COLLATE \"C\");"
                    + " CREATE TABLE public.with_enum (m public.mood);"
                    + " CREATE TABLE public.with_identity (id integer GENERATED ALWAYS AS IDENTITY);"
                    + " CREATE TABLE public.with_generated (a integer, b integer GENERATED ALWAYS AS (a * 2) STORED);"
                    + " CREATE UNLOGGED TABLE public.unlogged (a integer);"
                    + " CREATE TABLE public.parted (a integer) PARTITION BY RANGE (a);"
                    + " CREATE TABLE public.part1 PARTITION OF public.parted FOR VALUES FROM (0) TO (10);"
                    + " CREATE TABLE public.parent (a integer DEFAULT 1);"
                    + " CREATE TABLE public.child (b integer) INHERITS (public.parent);"
                    + " CREATE TABLE public.own_collation (t text COLLATE public.\"C2\");"
                    + " CREATE FUNCTION public.f(text) RETURNS text IMMUTABLE LANGUAGE sql AS 'SELECT upper($1)';"
                    + " ALTER TABLE public.plain ADD PRIMARY KEY (id);"
                    + " CREATE UNIQUE INDEX plain_c_lower ON public.plain (lower(c)) WHERE c <> 'x';"
                    + " CREATE INDEX plain_c_f ON public.plain (public.f(c));"
                    + " CREATE INDEX plain_d ON public.plain (d)");
            SchemaScript script;
            try (Connection c = db.connect()) {
                c.setAutoCommit(false);
                script = new SchemaExtractor(new SchemaScope(List.of(), List.of(), List.of(), false)).extract(c);
                c.rollback();
            }
            Map<String, Boolean> stageable = new LinkedHashMap<>();
            for (TableRef t : script.tables()) {
                stageable.put(t.name(), t.stageable());
            }
            assertThat(stageable).containsOnlyKeys("plain", "with_enum", "with_identity", "with_generated", "unlogged",
                    "part1", "parent", "child", "own_collation");
            assertThat(stageable.remove("plain")).isTrue();
            assertThat(stageable.values()).containsOnly(false);

            TableRef plain = script.tables().stream().filter(t -> t.name().equals("plain")).findFirst().orElseThrow();
            StagedBuild build = plain.stagedBuild();
            String statement = script.preData().get(build.createAt());
            assertThat(statement).isEqualTo(build.create().on("public", "plain"))
                    .startsWith("CREATE TABLE \"public\".\"plain\" (").doesNotContain("DEFAULT", "CHECK");
            assertThat(build.create().on("keepsake_staging_x_0", "plain"))
                    .startsWith("CREATE TABLE \"keepsake_staging_x_0\".\"plain\" (");
            assertThat(script.preData()).anySatisfy(s -> assertThat(s).startsWith("ALTER TABLE ONLY public.plain"
                    + " ALTER COLUMN \"id\" SET DEFAULT nextval("));
            assertThat(script.preData()).anySatisfy(s -> assertThat(s).startsWith("ALTER TABLE public.plain ADD"
                    + " CONSTRAINT \"c_not_empty\" CHECK"));
            // the key and the indexes on built-in functions are built on the staged table; one on public.f is not
            build.indexes().forEach((at, ddl) -> assertThat(script.postData().get(at))
                    .isEqualTo(ddl.on("public", "plain")));
            List<String> staged = build.indexes().values().stream().map(ddl -> ddl.on("s", "plain")).toList();
            assertThat(staged).hasSize(3).anySatisfy(s -> assertThat(s).isEqualTo("ALTER TABLE ONLY \"s\".\"plain\""
                    + " ADD CONSTRAINT \"plain_pkey\" PRIMARY KEY (id)"))
                    .anySatisfy(s -> assertThat(s).startsWith("CREATE UNIQUE INDEX plain_c_lower ON \"s\".\"plain\""
                            + " USING btree (lower(c)) WHERE"))
                    .anySatisfy(s -> assertThat(s).isEqualTo("CREATE INDEX plain_d ON \"s\".\"plain\" USING btree"
                            + " (d)"));
            assertThat(script.postData()).anySatisfy(s -> assertThat(s).startsWith("CREATE INDEX plain_c_f ON"));
            assertThat(staged).noneSatisfy(s -> assertThat(s).contains("plain_c_f"));
        }
    }

    @Test
    void leftoverStagingSchemasAreLeftOutOfBackupsAndDroppedByTheNextRestoreThatSucceeds(PostgresServer server,
                                                                            @TempDir Path dir) throws Exception {
        try (TestDatabase source = server.createDatabase("staged_src");
             TestDatabase target = server.createDatabase("staged_dst")) {
            String leftover = "CREATE SCHEMA keepsake_staging_0123456789ab_0;"
                    + " CREATE TABLE keepsake_staging_0123456789ab_0.t (x integer); INSERT INTO"
                    + " keepsake_staging_0123456789ab_0.t VALUES (1)";
            source.execute(leftover + "; CREATE TABLE public.t AS SELECT i FROM generate_series(1, 1000) i");
            target.execute(leftover);
            var archive = Transfer.backup(PostgresPart.builder().dataSource(source.dataSource()).build(), dir);
            assertThat(archive.attributes).containsEntry(PartAttributes.SCHEMAS, "1");
            // the sweep is part of the restore's transaction: a refused restore leaves the leftover too
            target.execute("CREATE TABLE public.t (i integer); CREATE SCHEMA other;"
                    + " CREATE VIEW other.v AS SELECT i FROM public.t");
            PostgresPart part = PostgresPart.builder().dataSource(target.dataSource()).build();
            assertThatThrownBy(() -> Transfer.restore(part, archive)).isInstanceOf(PostgresRestoreException.class)
                    .hasMessageContaining("other.v");
            assertThat(stagingSchemas(target)).containsExactly("keepsake_staging_0123456789ab_0");

            // a restore that stages nothing (public.t is far below the default 32 MiB) still drops it
            target.execute("DROP VIEW other.v");
            Transfer.restore(part, archive);

            assertThat(stagingSchemas(target)).isEmpty();
            assertThat(NastyDataRoundTripIT.single(target, "SELECT count(*) FROM public.t")).isEqualTo("1000");
        }
    }

    @Test
    void theApplicationReadsTheOldRowsWithoutWaitingWhileTheBigTablesLoad(PostgresServer server, @TempDir Path dir)
            throws Exception {
        try (TestDatabase source = server.createDatabase("staged_src");
             TestDatabase target = server.createDatabase("staged_dst")) {
            source.execute("CREATE TABLE public.big (id integer PRIMARY KEY, t text);"
                    + " INSERT INTO public.big SELECT i, repeat('x', 100) FROM generate_series(1, 20000) i");
            target.execute("CREATE TABLE public.big (id integer PRIMARY KEY, t text); INSERT INTO public.big"
                    + " VALUES (1, 'old')");
            var archive = Transfer.backup(PostgresPart.builder().dataSource(source.dataSource())
                    .chunkSize(64 * 1024).build(), dir);
            List<String> seenWhileLoading = new ArrayList<>();
            PartReader reader = new AtomicityIT.ForwardingReader(archive.reader("postgres")) {
                int chunks;

                @Override
                public Optional<Entry> next() throws IOException {
                    Optional<Entry> e = super.next();
                    if (e.isPresent() && e.get().entry().name().startsWith("data/") && ++chunks == 3) {
                        try (Connection app = target.connect(); Statement st = app.createStatement()) {
                            st.execute("SET lock_timeout = '2s'");
                            try (ResultSet rs = st.executeQuery("SELECT t FROM public.big")) {
                                while (rs.next()) {
                                    seenWhileLoading.add(rs.getString(1));
                                }
                            }
                        } catch (java.sql.SQLException ex) {
                            throw new IOException(ex);
                        }
                    }
                    return e;
                }
            };
            PostgresPart part = PostgresPart.builder().dataSource(target.dataSource()).restoreStagingMinBytes(0)
                    .build();
            try (PreparedRestore prepared = part.prepare(reader, new TestJobContext("read-while-loading"))) {
                prepared.commit();
            }

            assertThat(seenWhileLoading).containsExactly("old");
            assertThat(NastyDataRoundTripIT.single(target, "SELECT count(*) FROM public.big")).isEqualTo("20000");
            assertThat(stagingSchemas(target)).isEmpty();
        }
    }

    @Test
    void aSchemaWhoseStagedStatementsAreNotItsTablesOwnIsRefusedAndChangesNothing(PostgresServer server,
                                                                               @TempDir Path dir) throws Exception {
        try (TestDatabase source = server.createDatabase("staged_src");
             TestDatabase target = server.createDatabase("staged_dst")) {
            source.execute("CREATE TABLE public.a (x integer); INSERT INTO public.a VALUES (1);"
                    + " CREATE TABLE public.b (y integer); INSERT INTO public.b VALUES (2)");
            target.execute("CREATE TABLE keep_me (x integer); INSERT INTO keep_me VALUES (7)");
            var archive = Transfer.backup(PostgresPart.builder().dataSource(source.dataSource()).build(), dir);
            String text = new String(archive.content(0), StandardCharsets.UTF_8);
            SchemaScript script = SchemaScript.fromText(text);
            int aAt = script.tables().get(0).stagedBuild().createAt();
            int bAt = script.tables().get(1).stagedBuild().createAt();
            PostgresPart part = PostgresPart.builder().dataSource(target.dataSource()).restoreStagingMinBytes(0)
                    .build();

            for (String tampered : List.of(
                    text.replace("staged-create\t" + aAt + "\t", "staged-create\t" + bAt + "\t"),
                    text.replace("staged-create\t" + aAt + "\t", "staged-create\t99999\t"))) {
                archive.replace(0, tampered.getBytes(StandardCharsets.UTF_8));
                assertThatThrownBy(() -> Transfer.restore(part, archive)).isInstanceOf(PostgresRestoreException.class)
                        .hasMessageContaining("schema.json cannot be read: Schema script: the staged CREATE of table"
                                + " public.a is not schema statement ")
                        .hasMessageEndingWith("Nothing was changed.");
                assertThat(NastyDataRoundTripIT.single(target, "SELECT x FROM keep_me")).isEqualTo("7");
                assertThat(stagingSchemas(target)).isEmpty();
            }
        }
    }

    @Test
    void oneRestoreConnectionLoadsEverythingInTheTransaction(PostgresServer server, @TempDir Path dir)
            throws Exception {
        try (TestDatabase source = server.createDatabase("staged_src");
             TestDatabase target = server.createDatabase("staged_dst")) {
            source.execute("CREATE TABLE public.a AS SELECT i FROM generate_series(1, 100) i");
            var archive = Transfer.backup(PostgresPart.builder().dataSource(source.dataSource()).build(), dir);
            CountingDataSource counting = new CountingDataSource(target.dataSource());
            Transfer.restore(PostgresPart.builder().dataSource(counting.proxy()).restoreParallelism(1)
                    .restoreStagingMinBytes(0).build(), archive);
            assertThat(counting.opened.get()).isEqualTo(1);
            assertThat(NastyDataRoundTripIT.single(target, "SELECT sum(i) FROM public.a")).isEqualTo("5050");
        }
    }

    /** schema.table → whether the archive's schema lets a restore stage it. */
    private static Map<String, Boolean> stageable(EditablePartArchive archive) throws IOException {
        SchemaScript script = SchemaScript.fromText(new String(archive.content(0), StandardCharsets.UTF_8));
        Map<String, Boolean> result = new LinkedHashMap<>();
        for (TableRef t : script.tables()) {
            result.put(t.schema() + "." + t.name(), t.stageable());
        }
        return result;
    }

    private static List<String> stagingSchemas(TestDatabase db) throws Exception {
        List<String> result = new ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'keepsake%'")) {
            while (rs.next()) {
                result.add(rs.getString(1));
            }
        }
        return result;
    }

    /** The real data source, counting the connections it opens (to see whether a restore staged tables). */
    private static final class CountingDataSource {
        final AtomicInteger opened = new AtomicInteger();
        private final DataSource real;

        CountingDataSource(DataSource real) {
            this.real = real;
        }

        DataSource proxy() {
            return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                    new Class<?>[] {DataSource.class}, (p, method, args) -> {
                        if (method.getName().equals("getConnection")) {
                            opened.incrementAndGet();
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }
}
