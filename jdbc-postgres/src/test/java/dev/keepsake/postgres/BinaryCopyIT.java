package dev.keepsake.postgres;

import dev.keepsake.postgres.testing.RoundTripAssertion;
import dev.keepsake.testfixtures.EditablePartArchive;
import dev.keepsake.postgres.internal.PartAttributes;
import dev.keepsake.postgres.internal.PartLayout;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.PostgresServer;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Tables whose columns all have built-in types with a fixed binary form travel in COPY's binary format, the others in
 * text; both restore exactly, across chunk boundaries, and the archive says which is which.
 */
@ExtendWith(PostgresExtension.class)
class BinaryCopyIT {

    private static final String SCHEMA = """
            CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
            CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
            CREATE TYPE pair AS (a integer, b text);
            CREATE TABLE every_builtin (
                id integer PRIMARY KEY, b boolean, by bytea, ch "char", s smallint, i integer, l bigint, r real,
                d double precision, n numeric, n2 numeric(12,3), t text, v varchar(20), c char(5), dt date,
                tm time, tmz timetz, ts timestamp, tsz timestamptz, iv interval, u uuid, j json, jb jsonb,
                ip inet, net cidr, mac macaddr, bt bit(4), vb varbit, ia integer[], ta text[], na numeric[],
                tsa timestamptz[], ba bytea[], ja jsonb[], m2 integer[][]);
            CREATE TABLE with_generated (id bigint PRIMARY KEY, x integer, twice integer GENERATED ALWAYS AS (x * 2) STORED);
            CREATE TABLE with_enum (id integer PRIMARY KEY, m mood);
            CREATE TABLE with_domain (id integer PRIMARY KEY, p positive);
            CREATE TABLE with_composite (id integer PRIMARY KEY, pr pair);
            CREATE TABLE with_enum_array (id integer PRIMARY KEY, ms mood[]);
            CREATE TABLE with_money (id integer PRIMARY KEY, price money);
            CREATE TABLE with_regclass (id integer PRIMARY KEY, r regclass);
            CREATE TABLE many_rows (id integer PRIMARY KEY, payload text);
            """;

    private static final String DATA = """
            INSERT INTO every_builtin VALUES
             (1, true, '\\x00ff0a5c4e', 'x', -32768, -2147483648, -9223372036854775808, 'NaN', '-Infinity',
              'NaN', 123456789.123, '', 'tab\tnew\nline\\\\N', 'ab', '-infinity', '24:00', '23:59:59.999999+14',
              'infinity', '-infinity', '-178000000 years', '00000000-0000-0000-0000-000000000000', '{"a": [1, 2.50]}',
              '{"b": null, "ü": "\u2603"}', '::1', '10.0.0.0/8', '08:00:2b:01:02:03', B'1010', B'',
              '{1,NULL,3}', '{"", NULL, "a,b", "\\"q\\""}', '{NaN,-0.000,1e-20}', '{infinity,"2020-01-01 00:00+00"}',
              '{"\\\\x00", NULL}', '{"{}", "[1]"}', '{{1,2},{3,4}}'),
             (2, false, '', '\\001', 32767, 2147483647, 9223372036854775807, 'Infinity', 1e-308, 0, -0.001, 'ümlaut ☃',
              'v', 'abcde', '4713-01-01 BC', '00:00', '00:00+00', '294276-12-31 23:59:59.999999',
              '2000-01-01 00:00:00.000001+00', '1 mon 2 days 03:04:05.000006', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
              '[]', '[]', '2001:db8::ff00:42:8329/64', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', B'0000', B'101010101',
              '{}', '{}', '{}', '{}', '{}', '{}', '{}'),
             (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
              NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
            INSERT INTO with_generated (id, x) VALUES (1, 21), (2, NULL);
            INSERT INTO with_enum VALUES (1, 'happy'), (2, NULL);
            INSERT INTO with_domain VALUES (1, 42);
            INSERT INTO with_composite VALUES (1, ROW(1, 'one')), (2, NULL);
            INSERT INTO with_enum_array VALUES (1, '{sad,NULL,happy}');
            INSERT INTO with_money VALUES (1, 12.34);
            INSERT INTO with_regclass VALUES (1, 'with_money');
            INSERT INTO many_rows SELECT g, repeat(md5(g::text), 1 + g % 7) FROM generate_series(1, 20000) g;
            INSERT INTO many_rows VALUES (0, repeat('big row, bigger than a chunk ', 10000));
            """;

    @Test
    void tablesOfBuiltInTypesTravelInBinaryTheOthersInTextAndAllRestoreExactly(PostgresServer server,
                                                                                @TempDir Path dir) throws Exception {
        try (TestDatabase source = server.createDatabase("bin_src");
             TestDatabase target = server.createDatabase("bin_dst")) {
            source.execute(SCHEMA);
            source.execute(DATA);
            // small chunks: many_rows spans many chunks (each restored by its own binary COPY) and its big row gets
            // a chunk of its own
            var archive = Transfer.backup(PostgresPart.builder().dataSource(source.dataSource())
                    .chunkSize(64 * 1024).build(), dir);

            assertThat(archive.attributes).containsEntry(PartAttributes.LAYOUT, "1")
                    .containsEntry(PartAttributes.DATA_FORMAT, "text+binary");
            assertThat(formats(archive)).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "public.every_builtin", "binary", "public.with_generated", "binary", "public.many_rows", "binary",
                    "public.with_enum", "text", "public.with_domain", "text", "public.with_composite", "text",
                    "public.with_enum_array", "text", "public.with_money", "text", "public.with_regclass", "text"));
            long manyRowsChunks = archive.entries.stream().filter(e -> e.type() == dev.keepsake.core.spi.ArchiveEntry
                    .Type.CHUNK).map(e -> e.name()).filter(n -> n.equals(streamOf(archive, "public.many_rows")))
                    .count();
            assertThat(manyRowsChunks).isGreaterThan(10);

            Transfer.restore(PostgresPart.builder().dataSource(target.dataSource()).build(), archive);

            RoundTripAssertion.assertSameContent(source.dataSource(), target.dataSource());
            for (String table : List.of("every_builtin", "with_generated", "with_enum", "with_domain",
                    "with_composite", "with_enum_array", "with_money", "with_regclass", "many_rows")) {
                assertThat(rows(target, table)).as(table).isEqualTo(rows(source, table)).isNotEmpty();
            }
            assertThat(NastyDataRoundTripIT.single(target, "SELECT twice FROM with_generated WHERE id = 1"))
                    .isEqualTo("42");
        }
    }

    @Test
    void binaryTablesBackedUpOnPostgres13RestoreExactlyIntoPostgres18(@TempDir Path dir) throws Exception {
        PostgresServer oldest = PostgresServer.shared(13);
        PostgresServer newest = PostgresServer.shared(18);
        try (TestDatabase source = oldest.createDatabase("bin13_src");
             TestDatabase target = newest.createDatabase("bin18_dst")) {
            source.execute(SCHEMA);
            source.execute(DATA);
            Path archive = EngineTransfer.backup(PostgresPart.builder().dataSource(source.dataSource())
                    .chunkSize(64 * 1024).build(), dir.resolve("backup"));
            dev.keepsake.core.OperationStatus status = EngineTransfer.restore(PostgresPart.builder()
                    .dataSource(target.dataSource()).build(), archive, dir.resolve("restore"));
            assertThat(status.succeeded()).as(status.statusMessage()).isTrue();

            for (String table : List.of("every_builtin", "with_generated", "with_enum", "with_domain",
                    "with_composite", "with_enum_array", "with_money", "with_regclass", "many_rows")) {
                assertThat(rows(target, table)).as(table).isEqualTo(rows(source, table)).isNotEmpty();
            }
        }
    }

    @Test
    void thousandsOfBinaryTablesRoundTrip(PostgresServer server, @TempDir Path dir) throws Exception {
        // which table is in which format is in the table list, not in a part attribute (those are limited to 16 KiB)
        try (TestDatabase source = server.createDatabase("bin_src");
             TestDatabase target = server.createDatabase("bin_dst")) {
            source.execute("DO $$ BEGIN FOR i IN 1..4000 LOOP EXECUTE format('CREATE TABLE t%s (id integer, v text);"
                    + " INSERT INTO t%s VALUES (%s, ''row %s'')', i, i, i, i); END LOOP; END $$");
            var archive = Transfer.backup(PostgresPart.builder().dataSource(source.dataSource()).build(), dir);
            assertThat(archive.attributes).containsEntry(PartAttributes.LAYOUT, "1")
                    .containsEntry(PartAttributes.DATA_FORMAT, "binary");

            Transfer.restore(PostgresPart.builder().dataSource(target.dataSource()).build(), archive);

            assertThat(NastyDataRoundTripIT.single(target, "SELECT count(*) FROM pg_catalog.pg_tables"
                    + " WHERE schemaname = 'public'")).isEqualTo("4000");
            assertThat(NastyDataRoundTripIT.single(target, "SELECT v FROM t3999")).isEqualTo("row 3999");
        }
    }

    @Test
    void binaryCopyOffWritesEveryTableInTextFormat(PostgresServer server, @TempDir Path dir)
            throws Exception {
        try (TestDatabase source = server.createDatabase("bin_src");
             TestDatabase target = server.createDatabase("bin_dst")) {
            source.execute(SCHEMA);
            source.execute(DATA);
            var archive = Transfer.backup(PostgresPart.builder().dataSource(source.dataSource())
                    .binaryCopy(false).build(), dir);

            assertThat(archive.attributes).containsEntry(PartAttributes.LAYOUT, "1")
                    .containsEntry(PartAttributes.DATA_FORMAT, "text");
            assertThat(formats(archive).values()).containsOnly("text");
            Transfer.restore(PostgresPart.builder().dataSource(target.dataSource()).build(), archive);
            RoundTripAssertion.assertSameContent(source.dataSource(), target.dataSource());
            assertThat(rows(target, "every_builtin")).isEqualTo(rows(source, "every_builtin"));
        }
    }

    @Test
    void restoreRefusesAnArchiveWhoseBinaryTableListIsInvalidAndChangesNothing(PostgresServer server,
                                                                              @TempDir Path dir) throws Exception {
        try (TestDatabase source = server.createDatabase("bin_src");
             TestDatabase target = server.createDatabase("bin_dst")) {
            var archive = backUpWithATargetToKeep(source, target, dir);
            int list = archive.indexOf(PartLayout.TABLES_ENTRY, -1);
            String text = new String(archive.content(list), StandardCharsets.UTF_8);
            archive.replace(list, text.replaceFirst("\tbinary\n", "\tbinary-ish\n").getBytes(StandardCharsets.UTF_8));

            assertThatThrownBy(() -> Transfer.restore(PostgresPart.builder().dataSource(target.dataSource()).build(),
                    archive)).isInstanceOf(PostgresRestoreException.class)
                    .hasMessageContaining("has an invalid tables.tsv: line ")
                    .hasMessageContaining(" gives the format 'binary-ish' (text or binary expected)")
                    .hasMessageEndingWith("Nothing was changed.");
            assertThat(NastyDataRoundTripIT.single(target, "SELECT x FROM keep_me")).isEqualTo("7");

            archive.replace(list, text.substring(0, text.lastIndexOf('\n', text.length() - 2) + 1)
                    .getBytes(StandardCharsets.UTF_8)); // the last table's line cut off
            assertThatThrownBy(() -> Transfer.restore(PostgresPart.builder().dataSource(target.dataSource()).build(),
                    archive)).isInstanceOf(PostgresRestoreException.class)
                    .hasMessageContaining("has an invalid tables.tsv: it has 8 table lines where the schema lists 9"
                            + " tables. Nothing was changed.");
            assertThat(NastyDataRoundTripIT.single(target, "SELECT x FROM keep_me")).isEqualTo("7");
        }
    }

    @Test
    void aBinaryChunkThatIsNotWhatTheBackupWroteFailsTheRestoreAndChangesNothing(PostgresServer server,
                                                                                @TempDir Path dir) throws Exception {
        try (TestDatabase source = server.createDatabase("bin_src");
             TestDatabase target = server.createDatabase("bin_dst")) {
            var archive = backUpWithATargetToKeep(source, target, dir);
            int chunk = archive.indexOf(streamOf(archive, "public.every_builtin"), 0);
            byte[] bytes = archive.content(chunk);
            archive.replace(chunk, java.util.Arrays.copyOf(bytes, bytes.length - 3)); // a row cut short

            assertThatThrownBy(() -> Transfer.restore(PostgresPart.builder().dataSource(target.dataSource()).build(),
                    archive)).isInstanceOf(PostgresRestoreException.class)
                    .hasMessageContaining("copying data into table public.every_builtin")
                    .hasMessageEndingWith("Nothing was changed: the transaction was rolled back.");
            assertThat(NastyDataRoundTripIT.single(target, "SELECT x FROM keep_me")).isEqualTo("7");
        }
    }

    @Test
    void aSignedArchiveWhoseDataChunkWasChangedIsRefusedAndTheDatabaseStaysAsItWas(
            PostgresServer server, @TempDir Path dir) throws Exception {
        try (TestDatabase source = server.createDatabase("bin_src");
             TestDatabase target = server.createDatabase("bin_dst")) {
            source.execute(SCHEMA);
            source.execute(DATA);
            target.execute("CREATE TABLE keep_me (x integer); INSERT INTO keep_me VALUES (7)");
            Path archive = EngineTransfer.backup(PostgresPart.builder().dataSource(source.dataSource()).build(),
                    dir.resolve("backup"));
            // one byte of the first data chunk changed; names, sizes, manifest and signature intact
            byte[] tar;
            try (java.io.InputStream in = new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(
                    archive))) {
                tar = in.readAllBytes();
            }
            String chunk = "parts/postgres/data/000000.chunk-000000";
            int header = indexOf(tar, (chunk + "\0").getBytes(StandardCharsets.US_ASCII));
            tar[header + 512 + 7] ^= 0x01;
            Path tampered = dir.resolve("tampered.tgz");
            rewriteAsTheBackupDoes(tar, tampered);

            dev.keepsake.core.OperationStatus status = EngineTransfer.restore(PostgresPart.builder()
                    .dataSource(target.dataSource()).build(), tampered, dir.resolve("restore"));

            assertThat(status.succeeded()).isFalse();
            assertThat(status.errorCode()).contains(dev.keepsake.core.ErrorCode.ARCHIVE_INVALID);
            // chunks have no hash of their own: the SHA-256 of the compressed data no longer matches
            // (the changed byte may also change the compressed size, which is checked first)
            assertThat(status.statusMessage()).matches("Restore refused: the archive (does not match the SHA-256 of "
                    + "its data in the manifest|has \\d+ bytes of compressed data where its manifest says \\d+); it "
                    + "was tampered with, damaged or rewritten by another tool; use the file the backup wrote\\. "
                    + "Nothing was changed\\.");
            assertThat(NastyDataRoundTripIT.single(target, "SELECT x FROM keep_me")).isEqualTo("7");
            assertThat(NastyDataRoundTripIT.single(target, "SELECT count(*) FROM pg_catalog.pg_class c JOIN "
                    + "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
                    + " AND c.relname = 'every_builtin'")).isEqualTo("0");
        }
    }

    /**
     * Writes {@code tar} as a gzip archive the way a backup does (members cut and marked before the manifest), so
     * that the archive is well-formed and only the changed bytes differ.
     */
    private static void rewriteAsTheBackupDoes(byte[] tar, Path out) throws java.io.IOException {
        try (java.io.OutputStream o = java.nio.file.Files.newOutputStream(out);
             org.apache.commons.compress.archivers.tar.TarArchiveInputStream in =
                     new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                             new java.io.ByteArrayInputStream(tar), "UTF-8")) {
            dev.keepsake.testfixtures.RawArchiveWriter w = dev.keepsake.testfixtures.RawArchiveWriter.create(o,
                    dev.keepsake.core.ArchiveFormat.GZIP);
            org.apache.commons.compress.archivers.tar.TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                if (e.getName().equals("keepsake/manifest.json")) {
                    w.endData();
                }
                org.apache.commons.compress.archivers.tar.TarArchiveEntry copy =
                        new org.apache.commons.compress.archivers.tar.TarArchiveEntry(e.getName(), e.getLinkFlag(),
                                true);
                copy.setMode(e.getMode());
                copy.setModTime(e.getLastModifiedTime());
                copy.setLinkName(e.getLinkName());
                w.raw(copy, in.readAllBytes());
            }
            w.finishRaw();
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i += 512) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new IllegalArgumentException(new String(needle, StandardCharsets.US_ASCII));
    }

    /** Backs up the fixture (default settings); the target gets a table a failed restore must leave alone. */
    private static EditablePartArchive backUpWithATargetToKeep(TestDatabase source, TestDatabase target, Path dir)
            throws Exception {
        source.execute(SCHEMA);
        source.execute(DATA);
        target.execute("CREATE TABLE keep_me (x integer); INSERT INTO keep_me VALUES (7)");
        return Transfer.backup(PostgresPart.builder().dataSource(source.dataSource()).build(), dir);
    }

    /** schema.table → format, from the archive's tables.tsv. */
    private static Map<String, String> formats(EditablePartArchive archive) throws Exception {
        Map<String, String> result = new LinkedHashMap<>();
        for (String[] row : tsv(archive)) {
            result.put(row[1] + "." + row[2], row[4]);
        }
        return result;
    }

    private static String streamOf(EditablePartArchive archive, String table) {
        try {
            for (String[] row : tsv(archive)) {
                if ((row[1] + "." + row[2]).equals(table)) {
                    return row[0];
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalArgumentException(table);
    }

    private static List<String[]> tsv(EditablePartArchive archive) throws Exception {
        String text = new String(archive.content(archive.indexOf(PartLayout.TABLES_ENTRY, -1)),
                StandardCharsets.UTF_8);
        List<String[]> rows = new ArrayList<>();
        String[] lines = text.split("\n");
        assertThat(lines[0]).isEqualTo("stream\tschema\ttable\testimated_bytes\tformat");
        for (int i = 1; i < lines.length; i++) {
            rows.add(lines[i].split("\t", -1));
        }
        return rows;
    }

    /** Every row as text, in id order, with floats printed exactly. */
    private static List<String> rows(TestDatabase db, String table) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("SET extra_float_digits = 3; SET TimeZone = 'UTC'");
            try (ResultSet rs = st.executeQuery("SELECT x::text FROM public." + table + " x ORDER BY id")) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
        }
        return rows;
    }
}
