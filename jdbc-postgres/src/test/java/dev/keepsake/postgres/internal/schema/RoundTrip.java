package dev.keepsake.postgres.internal.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/** The test harness: extract in a snapshot, apply in one transaction, compare with pg_dump as the oracle. */
final class RoundTrip {

    /** How pg_dump reaches a database. */
    record Endpoint(String host, int port, String user, String password, String database) {
    }

    private RoundTrip() {
    }

    static SchemaScript extract(Connection source, SchemaScope scope) throws SQLException {
        source.setAutoCommit(false);
        try (Statement st = source.createStatement()) {
            st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        }
        try {
            return new SchemaExtractor(scope).extract(source);
        } finally {
            source.rollback();
            source.setAutoCommit(true);
        }
    }

    /** Runs preData, copies the rows of every table from {@code source}, runs postData: one transaction. */
    static void apply(SchemaScript script, Connection source, Connection target) throws SQLException, IOException {
        String debugDir = System.getProperty("keepsake.schema.debugDir");
        if (debugDir != null) {
            Files.writeString(Path.of(debugDir).resolve("script-" + target.getCatalog() + ".sql"),
                    String.join(";\n\n", script.preData()) + ";\n\n-- DATA\n\n" + String.join(";\n\n", script.postData()) + ";\n");
        }
        target.setAutoCommit(false);
        int i = 0;
        try (Statement st = target.createStatement()) {
            st.setEscapeProcessing(false); // the statements are PostgreSQL SQL, not JDBC escape syntax
            for (String sql : script.preData()) {
                i++;
                execute(st, sql, "pre", i);
            }
            if (source != null) {
                CopyManager out = source.unwrap(PGConnection.class).getCopyAPI();
                CopyManager in = target.unwrap(PGConnection.class).getCopyAPI();
                for (TableRef t : script.tables()) {
                    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                    out.copyOut("COPY " + t.qualifiedName() + " " + t.columnList() + " TO STDOUT (FORMAT binary)", buffer);
                    in.copyIn("COPY " + t.qualifiedName() + " " + t.columnList() + " FROM STDIN (FORMAT binary)",
                            new ByteArrayInputStream(buffer.toByteArray()));
                }
            }
            i = 0;
            for (String sql : script.postData()) {
                i++;
                execute(st, sql, "post", i);
            }
            target.commit();
        } catch (SQLException | IOException | RuntimeException e) {
            target.rollback();
            throw e;
        } finally {
            target.setAutoCommit(true);
        }
    }

    private static void execute(Statement st, String sql, String section, int index) throws SQLException {
        try {
            st.execute(sql);
        } catch (SQLException e) {
            throw new SQLException(section + "Data statement " + index + " failed: " + e.getMessage() + "\n--- statement:\n"
                    + sql, e.getSQLState(), e);
        }
    }

    /** pg_dump's schema-only output, without the lines that legitimately differ between two databases. */
    static String dump(Endpoint db, String... extraArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("pg_dump", "--schema-only", "-h", db.host(), "-p",
                Integer.toString(db.port()), "-U", db.user()));
        command.addAll(List.of(extraArgs));
        command.add(db.database());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", db.password() == null ? "" : db.password());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("pg_dump finished").isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("pg_dump exit status, output:\n" + text).isZero();
        return text.lines()
                .filter(l -> !l.startsWith("\\restrict ") && !l.startsWith("\\unrestrict "))
                .filter(l -> !l.startsWith("-- Dumped from database version") && !l.startsWith("-- Dumped by pg_dump version"))
                .collect(Collectors.joining("\n"));
    }

    /**
     * Without owners, the only trace pg_dump leaves of who owns the pre-existing public schema is this placeholder
     * (printed when the owner is not pg_database_owner, e.g. after pagila's ALTER SCHEMA public OWNER TO postgres);
     * a restore without owners rightly leaves the target's public schema alone.
     */
    private static final String PUBLIC_PLACEHOLDER = "--\n-- Name: public; Type: SCHEMA; Schema: -; Owner: -\n--\n\n"
            + "-- \\*not\\* creating schema, since initdb creates it\n\n\n";

    static void assertSameSchema(Endpoint a, Endpoint b, String... extraArgs) throws IOException, InterruptedException {
        assertSameSchema(a, b, java.util.function.UnaryOperator.identity(), extraArgs);
    }

    /** {@code normalise} is applied to both dumps, for differences that come from the servers' versions. */
    static void assertSameSchema(Endpoint a, Endpoint b, java.util.function.UnaryOperator<String> normalise,
                                 String... extraArgs) throws IOException, InterruptedException {
        boolean noOwner = extraArgs.length == 0;
        String[] args = noOwner ? new String[] {"--no-owner", "--no-privileges"} : extraArgs;
        String expected = normalise.apply(dump(a, args));
        String actual = normalise.apply(dump(b, args));
        if (noOwner) {
            expected = expected.replaceFirst(PUBLIC_PLACEHOLDER, "");
            actual = actual.replaceFirst(PUBLIC_PLACEHOLDER, "");
        }
        if (!expected.equals(actual)) {
            Path dir = Files.createTempDirectory("keepsake-schema-diff");
            Files.writeString(dir.resolve("expected.sql"), expected);
            Files.writeString(dir.resolve("actual.sql"), actual);
            if (System.getProperty("keepsake.schema.debugDir") != null) {
                Files.writeString(Path.of(System.getProperty("keepsake.schema.debugDir")).resolve("pg_dump-" + a.database() + ".sql"), expected);
            }
            assertThat(actual).as("pg_dump of the restored database (diff with: diff " + dir.resolve("expected.sql")
                    + " " + dir.resolve("actual.sql") + ")").isEqualTo(expected);
        }
    }

    /** Row count of every table in the script, read from {@code db}. */
    static Map<String, Long> rowCounts(Connection db, SchemaScript script) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Statement st = db.createStatement()) {
            for (TableRef t : script.tables()) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM ONLY " + t.qualifiedName())) {
                    rs.next();
                    counts.put(t.qualifiedName(), rs.getLong(1));
                }
            }
        }
        return counts;
    }

    /** A digest of every table's rows (text form, sorted), to compare contents exactly. */
    static Map<String, String> rowDigests(Connection db, SchemaScript script) throws SQLException {
        Map<String, String> digests = new LinkedHashMap<>();
        try (Statement st = db.createStatement()) {
            for (TableRef t : script.tables()) {
                try (ResultSet rs = st.executeQuery("SELECT count(*), md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), ''))"
                        + " FROM ONLY " + t.qualifiedName() + " r")) {
                    rs.next();
                    digests.put(t.qualifiedName(), rs.getLong(1) + ":" + rs.getString(2));
                }
            }
        }
        return digests;
    }
}
