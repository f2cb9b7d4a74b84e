package dev.keepsake.postgres;

import dev.keepsake.core.spi.PartReader;
import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.postgres.internal.PartAttributes;
import dev.keepsake.postgres.internal.PartLayout;
import dev.keepsake.postgres.internal.TableList;
import dev.keepsake.postgres.testing.internal.DatabaseContent;
import dev.keepsake.postgres.internal.schema.SchemaScript;
import dev.keepsake.postgres.internal.schema.StagedBuild;
import dev.keepsake.postgres.internal.schema.TableRef;
import dev.keepsake.testfixtures.EditablePartArchive;
import dev.keepsake.testfixtures.TestJobContext;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.PostgresServer;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Failures injected at several points of a restore leave the target database exactly as it was: same pg_dump output
 * (schema and data), same catalog inventory and row digests. The archive is pagila; the target holds a different,
 * modified pagila. Failures are injected by tampering with a spooled (unsigned, test-only) copy of the part.
 */
@ExtendWith(PostgresExtension.class)
class AtomicityIT {

    private final PostgresServer server;
    private TestDatabase source;
    private TestDatabase target;
    private EditablePartArchive archive;
    private PostgresPart targetPart;
    private String before;

    AtomicityIT(PostgresServer server) {
        this.server = server;
    }

    @BeforeEach
    void backUpPagilaAndPrepareADifferentTarget(@TempDir Path dir) throws Exception {
        source = server.createDatabase("atom_src");
        target = server.createDatabase("atom_dst");
        PagilaRoundTripIT.loadPagila(source);
        archive = Transfer.backup(PostgresPart.builder().dataSource(source.dataSource()).build(), dir);
        PagilaRoundTripIT.loadPagila(target);
        target.execute("DELETE FROM public.film_actor WHERE actor_id < 5; UPDATE public.actor SET first_name = 'OLD';"
                + " CREATE TABLE public.only_in_target (x integer); INSERT INTO public.only_in_target VALUES (42);"
                + " CREATE SCHEMA other; CREATE TABLE other.keep (y text); INSERT INTO other.keep VALUES ('stays')");
        targetPart = targetBuilder().build();
        before = snapshot(target);
    }

    /** Where the restore of a table with a duplicate key fails: adding the key in the restore's transaction. */
    String duplicateKeyFailsWhile() {
        return "post-data statement";
    }

    /** How the restore's part is configured (the staged variant, {@link StagedAtomicityIT}, stages every table). */
    PostgresPart.Builder targetBuilder() {
        return PostgresPart.builder().dataSource(target.dataSource());
    }

    @AfterEach
    void dropDatabases() {
        target.close();
        source.close();
    }

    @Test
    void aConstraintThatFailsOnTheDataRollsEverythingBack() throws Exception {
        // a duplicate actor row: the data loads, then adding the primary key fails
        int index = chunkOf("public", "actor");
        byte[] chunk = archive.content(index);
        assertThat(formatOf("public", "actor")).isEqualTo("binary"); // only built-in types
        int firstRow = firstBinaryRowLength(chunk);
        byte[] duplicated = new byte[firstRow + chunk.length];
        System.arraycopy(chunk, 0, duplicated, 0, firstRow);
        System.arraycopy(chunk, 0, duplicated, firstRow, chunk.length);
        archive.replace(index, duplicated);

        assertThatThrownBy(() -> Transfer.restore(targetPart, archive))
                .isInstanceOf(PostgresRestoreException.class)
                .hasMessageContaining(duplicateKeyFailsWhile())
                .hasMessageContaining("23505")
                .hasMessageContaining("Nothing was changed")
                .satisfies(e -> assertThat(((PostgresRestoreException) e).databaseUnchanged()).isTrue());
        assertThat(snapshot(target)).isEqualTo(before);
    }

    /** The length of the first row of a chunk in COPY's binary format: field count, then (length, bytes) per field. */
    private static int firstBinaryRowLength(byte[] chunk) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(chunk);
        int fields = b.getShort();
        for (int i = 0; i < fields; i++) {
            int length = b.getInt();
            if (length > 0) {
                b.position(b.position() + length);
            }
        }
        return b.position();
    }

    @Test
    void aDataChunkTheServerRejectsNamesTheTableAndRollsEverythingBack() throws Exception {
        int index = chunkOf("public", "actor");
        archive.replace(index, "1\tonly two columns\n".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> Transfer.restore(targetPart, archive))
                .isInstanceOf(PostgresRestoreException.class)
                .hasMessageContaining("copying data into table public.actor (chunk 0)")
                .hasMessageContaining("22P04")
                .hasMessageContaining("Nothing was changed");
        assertThat(snapshot(target)).isEqualTo(before);
    }

    @Test
    void aMissingExtensionRollsEverythingBack() throws Exception {
        tamperSchema(s -> withPreData(s, s.preData().size(), "CREATE EXTENSION IF NOT EXISTS keepsake_no_such_extension"));

        assertThatThrownBy(() -> Transfer.restore(targetPart, archive))
                .isInstanceOf(PostgresRestoreException.class)
                .hasMessageContaining("keepsake_no_such_extension")
                .hasMessageContaining("Nothing was changed");
        assertThat(snapshot(target)).isEqualTo(before);
    }

    @Test
    void anObjectTheServerRejectsHalfWayRollsEverythingBack() throws Exception {
        tamperSchema(s -> withPreData(s, s.preData().size() / 2,
                "CREATE TABLE public.broken (x public.keepsake_no_such_type)"));

        assertThatThrownBy(() -> Transfer.restore(targetPart, archive))
                .isInstanceOf(PostgresRestoreException.class)
                .hasMessageContaining("keepsake_no_such_type")
                .hasMessageContaining("schema statement");
        assertThat(snapshot(target)).isEqualTo(before);
    }

    @Test
    void aConnectionKilledInTheMiddleOfTheDataLeavesTheDatabaseAsBefore() throws Exception {
        PartReader reader = killingReader(archive.reader("postgres"), 5);

        assertThatThrownBy(() -> targetPart.prepare(reader, new TestJobContext("kill")))
                .isInstanceOf(PostgresRestoreException.class)
                .hasMessageContaining("lost its database connection")
                .hasMessageContaining("Nothing was changed");
        assertThat(snapshot(target)).isEqualTo(before);
    }

    @Test
    void anInterruptedRestoreStopsAndLeavesTheDatabaseAsBefore() throws Exception {
        PartReader reader = interruptingReader(archive.reader("postgres"), 3);

        try {
            assertThatThrownBy(() -> targetPart.prepare(reader, new TestJobContext("interrupt")))
                    .isInstanceOf(java.io.InterruptedIOException.class)
                    .hasMessageContaining("nothing was changed");
            assertThat(Thread.currentThread().isInterrupted()).as("interrupt flag kept").isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(snapshot(target)).isEqualTo(before);
    }

    @Test
    void aPreparedRestoreKeepsItsObjectsLockedUntilTheEndAndAbortLeavesTheDatabaseAsBefore() throws Exception {
        try (PreparedRestore prepared = targetPart.prepare(archive.reader("postgres"), new TestJobContext("p"))) {
            try (Connection c = target.connect(); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT y FROM other.keep")) {
                    rs.next();
                    assertThat(rs.getString(1)).as("objects outside the backup stay usable").isEqualTo("stays");
                }
                // the replaced tables are locked by the open transaction: others wait, and never see a mix
                st.execute("SET lock_timeout = '200ms'");
                assertThatThrownBy(() -> st.executeQuery("SELECT count(*) FROM public.actor"))
                        .isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("55P03"));
            }
            prepared.abort();
        }
        assertThat(snapshot(target)).isEqualTo(before);
    }

    @Test
    void aBackupFromANewerMajorIsRefusedNamingBothVersionsBeforeAnythingChanges() throws Exception {
        archive.attributes.put(PartAttributes.SERVER_VERSION_NUM, "990001");
        archive.attributes.put(PartAttributes.SERVER_VERSION, "99.1");

        assertThatThrownBy(() -> Transfer.restore(targetPart, archive))
                .isInstanceOf(IncompatibleServerVersionException.class)
                .hasMessageContaining("PostgreSQL 99.1 (major 99)")
                .hasMessageContaining("(major " + server.majorVersion() + ")")
                .hasMessageContaining("Nothing was changed");
        assertThat(snapshot(target)).isEqualTo(before);
    }

    @Test
    void aPartOfANewerLayoutIsRefusedAsMadeByANewerKeepsakeBeforeAnythingChanges() throws Exception {
        for (String newer : List.of("2", "17")) {
            archive.attributes.put(PartAttributes.LAYOUT, newer);

            assertThatThrownBy(() -> Transfer.restore(targetPart, archive))
                    .isInstanceOf(PostgresRestoreException.class)
                    .hasMessage("part 'postgres' of the archive has layout " + newer + " (this version reads layout 1):"
                            + " it was made by a newer Keepsake; restore it with a version at least as new as the one"
                            + " that made it. Nothing was changed.")
                    .satisfies(e -> assertThat(((PostgresRestoreException) e).databaseUnchanged()).isTrue());
        }
        assertThat(snapshot(target)).isEqualTo(before);
    }

    @Test
    void aPartWithoutAValidLayoutIsRefusedAsDamagedBeforeAnythingChanges() throws Exception {
        for (String invalid : Arrays.asList(null, "", "0", "01", "1.0", "three", "99999999999")) {
            if (invalid == null) {
                archive.attributes.remove(PartAttributes.LAYOUT);
            } else {
                archive.attributes.put(PartAttributes.LAYOUT, invalid);
            }

            assertThatThrownBy(() -> Transfer.restore(targetPart, archive)).as(String.valueOf(invalid))
                    .isInstanceOf(PostgresRestoreException.class)
                    .hasMessageStartingWith("part 'postgres' of the archive has " + (invalid == null
                            ? "no layout attribute" : "an invalid layout attribute '" + invalid + "'"))
                    .hasMessageEndingWith(": it is damaged or was not made by this Keepsake. Nothing was changed.");
        }
        assertThat(snapshot(target)).isEqualTo(before);
    }

    @Test
    void objectsOutsideTheBackupThatDependOnItAreNamedAndNothingIsDropped() throws Exception {
        target.execute("CREATE VIEW other.film_titles AS SELECT title FROM public.film;"
                + " CREATE TABLE other.favourite (film_id integer REFERENCES public.film (film_id))");
        before = snapshot(target);

        assertThatThrownBy(() -> Transfer.restore(targetPart, archive))
                .isInstanceOf(PostgresRestoreException.class)
                .hasMessageContaining("would drop objects outside the backup's schemas")
                .hasMessageContaining("other.film_titles")
                .hasMessageContaining("favourite_film_id_fkey on other.favourite")
                .hasMessageContaining("Nothing was changed");
        assertThat(snapshot(target)).isEqualTo(before);
    }

    @Test
    void aTableLockHeldByTheApplicationFailsCleanlyAfterTheLockTimeout() throws Exception {
        PostgresPart impatient = targetBuilder()
                .lockTimeout(java.time.Duration.ofMillis(200)).build();
        try (Connection app = target.connect()) {
            app.setAutoCommit(false);
            try (Statement st = app.createStatement()) {
                st.execute("LOCK TABLE public.only_in_target IN ACCESS SHARE MODE");
            }
            assertThatThrownBy(() -> Transfer.restore(impatient, archive))
                    .isInstanceOf(PostgresRestoreException.class)
                    .hasMessageContaining("lock timeout of 200 ms")
                    .hasMessageContaining("Nothing was changed");
            app.rollback();
        }
        assertThat(snapshot(target)).isEqualTo(before);
    }

    /** pg_dump of schema and data where the local pg_dump can read the server, plus the catalog inventory. */
    private String snapshot(TestDatabase db) throws Exception {
        String content;
        try (Connection c = db.connect()) {
            DatabaseContent dc = DatabaseContent.read(c, true);
            content = dc.objects() + "\n" + dc.tables();
        }
        return PgDump.canDump(server) ? PgDump.everything(db) + "\n" + content : content;
    }

    private int chunkOf(String schema, String table) throws IOException {
        SchemaScript script = SchemaScript.fromText(new String(archive.content(0), StandardCharsets.UTF_8));
        for (int i = 0; i < script.tables().size(); i++) {
            TableRef t = script.tables().get(i);
            if (t.schema().equals(schema) && t.name().equals(table)) {
                return archive.indexOf(String.format("data/%06d", i), 0);
            }
        }
        throw new AssertionError("no table " + schema + "." + table);
    }

    private void tamperSchema(UnaryOperator<SchemaScript> change) throws IOException {
        SchemaScript script = SchemaScript.fromText(new String(archive.content(0), StandardCharsets.UTF_8));
        archive.replace(0, change.apply(script).toText().getBytes(StandardCharsets.UTF_8));
    }

    /** {@code s} with {@code statement} inserted at {@code at} in preData (the staged CREATEs after it move on). */
    private static SchemaScript withPreData(SchemaScript s, int at, String statement) {
        List<String> pre = new ArrayList<>(s.preData());
        pre.add(at, statement);
        List<TableRef> tables = new ArrayList<>();
        for (TableRef t : s.tables()) {
            StagedBuild b = t.stagedBuild();
            tables.add(b == null || b.createAt() < at ? t
                    : t.withStagedBuild(new StagedBuild(b.createAt() + 1, b.create(), b.indexes())));
        }
        return new SchemaScript(s.serverVersionNum(), s.schemas(), s.extensions(), pre, tables, s.postData(),
                s.inventory());
    }

    /** The COPY format of a table, from the archive's table list. */
    private String formatOf(String schema, String table) throws IOException {
        SchemaScript script = SchemaScript.fromText(new String(archive.content(0), StandardCharsets.UTF_8));
        String list = new String(archive.content(archive.indexOf(PartLayout.TABLES_ENTRY, -1)),
                StandardCharsets.UTF_8);
        BitSet binary = TableList.binaryTables(list, script.tables().size());
        for (int i = 0; i < script.tables().size(); i++) {
            TableRef t = script.tables().get(i);
            if (t.schema().equals(schema) && t.name().equals(table)) {
                return binary.get(i) ? "binary" : "text";
            }
        }
        throw new AssertionError("no table " + schema + "." + table);
    }

    /** A reader that interrupts the restoring thread when the restore asks for the n-th data chunk. */
    private PartReader interruptingReader(PartReader in, int atDataChunk) {
        return new ForwardingReader(in) {
            int dataChunks;

            @Override
            public Optional<Entry> next() throws IOException {
                Optional<Entry> e = super.next();
                if (e.isPresent() && e.get().entry().name().startsWith("data/") && ++dataChunks == atDataChunk) {
                    Thread.currentThread().interrupt();
                }
                return e;
            }
        };
    }

    static class ForwardingReader implements PartReader {
        private final PartReader in;

        ForwardingReader(PartReader in) {
            this.in = in;
        }

        @Override
        public String partName() {
            return in.partName();
        }

        @Override
        public Map<String, String> attributes() {
            return in.attributes();
        }

        @Override
        public Optional<String> schemaVersion() {
            return in.schemaVersion();
        }

        @Override
        public long entryCount() {
            return in.entryCount();
        }

        @Override
        public long totalBytes() {
            return in.totalBytes();
        }

        @Override
        public int chunkCount(String streamName) {
            return in.chunkCount(streamName);
        }

        @Override
        public Optional<Entry> next() throws IOException {
            return in.next();
        }
    }

    /** A reader that terminates the restore's backend when the restore asks for the n-th data chunk. */
    private PartReader killingReader(PartReader in, int killAtDataChunk) {
        return new ForwardingReader(in) {
            int dataChunks;

            @Override
            public Optional<Entry> next() throws IOException {
                Optional<Entry> e = super.next();
                if (e.isPresent() && e.get().entry().name().startsWith("data/") && ++dataChunks == killAtDataChunk) {
                    try (Connection c = target.connect(); Statement st = c.createStatement();
                         ResultSet rs = st.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                                 + " WHERE application_name LIKE 'keepsake restore %'")) {
                        rs.next();
                        assertThat(rs.getInt(1)).as("restore sessions terminated").isPositive();
                    } catch (SQLException ex) {
                        throw new IOException(ex);
                    }
                }
                return e;
            }
        };
    }
}
