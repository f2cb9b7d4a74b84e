package dev.keepsake.postgres.internal.restore;

import dev.keepsake.core.internal.lang.Closeables;
import dev.keepsake.postgres.internal.PartSettings;
import dev.keepsake.postgres.internal.Sql;
import dev.keepsake.postgres.internal.copy.BinaryCopy;
import dev.keepsake.postgres.internal.copy.CopyPipeline;
import dev.keepsake.postgres.internal.schema.SchemaScope;
import dev.keepsake.postgres.internal.schema.SchemaScript;
import dev.keepsake.postgres.internal.schema.TableRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parallel half of a restore. Before the restore's one transaction starts, the big tables that allow it (a
 * stageable {@code CREATE TABLE}, see {@link TableRef#createStatement()}; binary format; at least
 * {@link PartSettings#stagingMinBytes()} on disk) are created and loaded on {@link PartSettings#restoreParallelism()}
 * connections of their own, each in one transaction ({@code COPY ... FREEZE} into the tables it created), in one
 * staging schema ({@value #SCHEMA_PREFIX}...) per schema of the backup; right after a table's last chunk (the
 * manifest says which, {@link dev.keepsake.core.spi.PartReader#chunkCount}), its loading connection builds the
 * table's indexes and key constraints that name nothing in the backup but the table ({@link TableRef#stagedPost()}).
 * The application does not see the staging schemas. The data
 * of every other table is spilled, in archive order, to a temporary file (owner-only) that the restore's transaction
 * copies from. That transaction then moves each staged table into place with {@code ALTER TABLE ... SET SCHEMA} at
 * the point where the backup's schema creates it ({@link #statementFor}), with the indexes and key constraints each
 * loading connection built on it after loading it (those naming nothing in the backup but the table:
 * {@link TableRef#stagedPost()}), and drops the emptied staging schemas
 * ({@link #dropEmptySchemas}): what the application sees still changes in one commit, or not at all.
 * {@link #dropSchemas()} removes what a failed or rolled-back restore left in the staging schemas.
 *
 * <p>Used by the restore's thread only. The COPY threads it starts are named
 * {@code keepsake-pg-restore-stage-<part>-<n>}; they end with {@link #finishLoading()} or {@link #close()}.
 */
final class StagedLoad implements AutoCloseable {

    /** Name prefix of staging schemas; backups never include such schemas. */
    static final String SCHEMA_PREFIX = SchemaScope.STAGING_PREFIX;

    private static final Logger LOG = LoggerFactory.getLogger(StagedLoad.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PartSettings settings;
    private final String operationId;
    private final List<TableRef> tables;
    /** Per table: the index of the helper loading it, or -1 (spilled, copied by the restore's transaction). */
    private final int[] helperOf;
    /** Per table: the SQL creating it in its staging schema, or null. */
    private final String[] stagingCreate;
    /** preData index of a staged table's CREATE to the table's index. */
    private final Map<Integer, Integer> stagedAt = new HashMap<>();
    /** Per table: the statements building its indexes and key constraints on its staging copy. */
    private final Map<Integer, List<String>> indexStatements = new HashMap<>();
    /** postData indexes of the statements run on staged tables instead (the restore's transaction skips them). */
    private final Set<Integer> postDone = new HashSet<>();
    /** Schema of the backup to its staging schema. */
    private final Map<String, String> stagingSchemas = new LinkedHashMap<>();
    private final int helperCount;
    private final List<Helper> helpers = new ArrayList<>();
    private final List<Spilled> spilled = new ArrayList<>();
    private Path spillFile;
    private OutputStream spillOut;
    private boolean schemasCreated;

    private record Spilled(int table, long length) {
    }

    /** One loading connection, its transaction and its COPY thread. */
    private record Helper(Connection connection, CopyPipeline pipeline) {
    }

    private StagedLoad(PartSettings settings, String operationId, List<TableRef> tables, int[] helperOf,
                       String[] stagingCreate, int helperCount) {
        this.settings = settings;
        this.operationId = operationId;
        this.tables = tables;
        this.helperOf = helperOf;
        this.stagingCreate = stagingCreate;
        this.helperCount = helperCount;
    }

    /**
     * Which tables to stage, spread over the helpers biggest first; null when none qualifies (the restore then runs
     * entirely in its transaction).
     *
     * @param createStatement per table, the index of its stageable CREATE statement in the script's preData, or -1
     * @param stagedPost      per table, the indexes in the script's postData of its stageable index statements
     */
    static StagedLoad plan(PartSettings settings, String operationId, SchemaScript script, BitSet binary,
                           int[] createStatement, int[][] stagedPost) {
        if (settings.restoreParallelism() < 2) {
            return null;
        }
        List<TableRef> tables = script.tables();
        String token = HexFormat.of().formatHex(randomBytes());
        List<Integer> chosen = new ArrayList<>();
        String[] create = new String[tables.size()];
        Map<String, String> schemas = new LinkedHashMap<>();
        for (int i = 0; i < tables.size(); i++) {
            TableRef t = tables.get(i);
            int at = createStatement[i];
            if (at < 0 || !binary.get(i) || t.estimatedBytes() < settings.stagingMinBytes()) {
                continue;
            }
            String sql = script.preData().get(at);
            int end = qualifiedNameEnd(sql, t.schema(), t.name());
            if (end < 0) {
                continue; // not the statement the table list promises: this table takes the classic path
            }
            String staging = schemas.computeIfAbsent(t.schema(), s -> SCHEMA_PREFIX + token + "_" + schemas.size());
            create[i] = "CREATE TABLE " + Sql.qualified(staging, t.name()) + sql.substring(end);
            chosen.add(i);
        }
        if (chosen.isEmpty()) {
            return null;
        }
        chosen.sort((a, b) -> Long.compare(tables.get(b).estimatedBytes(), tables.get(a).estimatedBytes()));
        int helpers = Math.min(settings.restoreParallelism(), chosen.size());
        long[] load = new long[helpers];
        int[] helperOf = new int[tables.size()];
        Arrays.fill(helperOf, -1);
        for (int i : chosen) {
            int least = 0;
            for (int h = 1; h < helpers; h++) {
                if (load[h] < load[least]) {
                    least = h;
                }
            }
            helperOf[i] = least;
            load[least] += Math.max(1, tables.get(i).estimatedBytes());
        }
        StagedLoad staged = new StagedLoad(settings, operationId, tables, helperOf, create, helpers);
        staged.stagingSchemas.putAll(schemas);
        for (int i : chosen) {
            staged.stagedAt.put(createStatement[i], i);
            TableRef t = tables.get(i);
            List<String> statements = new ArrayList<>();
            for (int p : stagedPost[i]) {
                String sql = retarget(script.postData().get(p), t.schema(), t.name(), schemas.get(t.schema()));
                if (sql != null) {
                    statements.add(sql);
                    staged.postDone.add(p);
                }
            }
            staged.indexStatements.put(i, statements);
        }
        return staged;
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return b;
    }

    /**
     * The end of {@code "CREATE TABLE schema.name"} at the start of {@code sql} when it is followed by {@code " ("}
     * and the names (quoted or not, as {@code quote_ident} writes them) are {@code schema} and {@code name}; else -1.
     */
    static int qualifiedNameEnd(String sql, String schema, String name) {
        String head = "CREATE TABLE ";
        if (!sql.startsWith(head)) {
            return -1;
        }
        int[] pos = {head.length()};
        if (!qualifiedName(sql, pos, schema, name) || !sql.startsWith(" (", pos[0])) {
            return -1;
        }
        return pos[0];
    }

    /**
     * {@code statement} (an {@code ALTER TABLE ONLY schema.name ADD CONSTRAINT ...} or a {@code CREATE [UNIQUE] INDEX
     * index ON schema.name USING ...}) made to act on the table's staging copy; null when it is not of that shape.
     */
    static String retarget(String statement, String schema, String name, String staging) {
        String alter = "ALTER TABLE ONLY ";
        if (statement.startsWith(alter)) {
            int[] pos = {alter.length()};
            if (!qualifiedName(statement, pos, schema, name) || !statement.startsWith(" ADD CONSTRAINT ", pos[0])) {
                return null;
            }
            return alter + Sql.qualified(staging, name) + statement.substring(pos[0]);
        }
        for (String head : List.of("CREATE INDEX ", "CREATE UNIQUE INDEX ")) {
            if (statement.startsWith(head)) {
                int[] pos = {head.length()};
                if (identifier(statement, pos) == null || !statement.startsWith(" ON ", pos[0])) {
                    return null;
                }
                int table = pos[0] + " ON ".length();
                pos[0] = table;
                if (!qualifiedName(statement, pos, schema, name) || !statement.startsWith(" USING ", pos[0])) {
                    return null;
                }
                return statement.substring(0, table) + Sql.qualified(staging, name) + statement.substring(pos[0]);
            }
        }
        return null;
    }

    /** Reads {@code schema.name} (each quoted or not) at {@code pos[0]}, advancing it; false if it is not there. */
    private static boolean qualifiedName(String sql, int[] pos, String schema, String name) {
        String s = identifier(sql, pos);
        if (s == null || !s.equals(schema) || pos[0] >= sql.length() || sql.charAt(pos[0]) != '.') {
            return false;
        }
        pos[0]++;
        String n = identifier(sql, pos);
        return n != null && n.equals(name);
    }

    /** Reads a quoted or plain (lower-case) identifier at {@code pos[0]}, advancing it; null if there is none. */
    private static String identifier(String sql, int[] pos) {
        int i = pos[0];
        if (i >= sql.length()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        if (sql.charAt(i) == '"') {
            i++;
            while (i < sql.length()) {
                char c = sql.charAt(i++);
                if (c == '"') {
                    if (i < sql.length() && sql.charAt(i) == '"') {
                        out.append('"');
                        i++;
                    } else {
                        pos[0] = i;
                        return out.length() == 0 ? null : out.toString();
                    }
                } else {
                    out.append(c);
                }
            }
            return null;
        }
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$') {
                out.append(c);
                i++;
            } else {
                break;
            }
        }
        pos[0] = i;
        return out.length() == 0 ? null : out.toString();
    }

    /** How many tables are staged, for the log. */
    int stagedTables() {
        return stagedAt.size();
    }

    /** How many connections load them. */
    int connections() {
        return helperCount;
    }

    /**
     * Drops, in the restore's transaction on {@code c} (so a failed or refused restore leaves them too), the staging
     * schemas a crashed or killed restore left behind: those of this class's names that the role owns, but not
     * {@code keep} (this restore's own).
     */
    static void dropLeftovers(Connection c, Collection<String> keep) throws SQLException {
        List<String> leftovers = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname LIKE "
                     + Sql.literal(SCHEMA_PREFIX.replace("_", "\\_") + "%")
                     + " AND pg_catalog.pg_has_role(nspowner, 'USAGE')")) {
            while (rs.next()) {
                leftovers.add(rs.getString(1));
            }
        }
        leftovers.removeAll(keep);
        for (String schema : leftovers) {
            Sql.execute(c, "DROP SCHEMA " + Sql.ident(schema) + " CASCADE");
        }
    }

    /** This restore's staging schemas. */
    Collection<String> schemaNames() {
        return List.copyOf(stagingSchemas.values());
    }

    /**
     * Creates the staging schemas (committed, on {@code c} in autocommit mode), opens the loading connections and
     * creates the staged tables, each in its loading connection's transaction.
     */
    void start(Connection c) throws SQLException {
        schemasCreated = true;
        for (String staging : stagingSchemas.values()) {
            Sql.execute(c, "CREATE SCHEMA " + Sql.ident(staging));
        }
        for (int h = 0; h < helperCount; h++) {
            Connection hc = settings.connections().open();
            try {
                hc.setAutoCommit(false);
                Sql.execute(hc, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
                PostgresRestore.configureTransaction(hc, settings, operationId);
                for (int i = 0; i < tables.size(); i++) {
                    if (helperOf[i] == h) {
                        Sql.execute(hc, stagingCreate[i]);
                    }
                }
                helpers.add(new Helper(hc, new CopyPipeline(hc,
                        "keepsake-pg-restore-stage-" + settings.partName() + "-" + (h + 1))));
            } catch (SQLException | RuntimeException e) {
                Closeables.closeAfterFailure(hc, e);
                throw e;
            }
        }
    }

    /**
     * Takes chunk {@code chunk} (of {@code chunks}, -1 if unknown) of table {@code table}, {@code size} bytes: a staged
     * table's goes to its loading connection, which builds the table's indexes and key constraints right after its
     * last chunk; any other table's goes to the spill file. Reads {@code content} to its end.
     */
    void accept(int table, int chunk, int chunks, long size, InputStream content) throws IOException, SQLException {
        int h = helperOf[table];
        if (h >= 0) {
            TableRef t = tables.get(table);
            if (size > 0) {
                String sql = "COPY " + Sql.qualified(stagingSchemas.get(t.schema()), t.name())
                        + Sql.columnList(t.columns()) + " FROM STDIN"
                        + BinaryCopy.options(true, settings.copyFreeze());
                helpers.get(h).pipeline().copy(sql, true, PostgresRestore.copyingInto(t), chunk, content);
            }
            if (chunk == chunks - 1) {
                queueIndexStatements(table);
            }
            return;
        }
        if (size == 0) {
            return;
        }
        if (spillOut == null) {
            spillFile = Files.createTempFile("keepsake-restore-" + settings.partName() + "-", ".spill");
            spillOut = new BufferedOutputStream(Files.newOutputStream(spillFile), 1 << 16);
        }
        long n = content.transferTo(spillOut);
        spilled.add(new Spilled(table, n));
    }

    /**
     * Ends the loading: each loading connection builds the indexes and key constraints of the tables whose last chunk
     * it did not see (a reader that does not know chunk counts), then commits; throws the first failure.
     */
    void finishLoading() throws IOException, SQLException {
        for (int table : List.copyOf(indexStatements.keySet())) {
            queueIndexStatements(table);
        }
        for (Helper h : helpers) {
            h.pipeline().finish();
        }
        for (Helper h : helpers) {
            h.connection().commit();
        }
        if (spillOut != null) {
            spillOut.close();
        }
    }

    /** Has the loading connection of {@code table} build its indexes and key constraints next (once). */
    private void queueIndexStatements(int table) throws IOException, SQLException {
        List<String> statements = indexStatements.remove(table);
        if (statements == null) {
            return;
        }
        TableRef t = tables.get(table);
        for (String sql : statements) {
            helpers.get(helperOf[table]).pipeline().execute(sql, "building an index of " + t.describe()
                    + " on its staged copy (" + Sql.abbreviate(sql) + ")");
        }
    }

    /** What a failed loading connection was doing, or null. */
    String failedWhile() {
        for (Helper h : helpers) {
            if (h.pipeline().failedWhile() != null) {
                return h.pipeline().failedWhile();
            }
        }
        return null;
    }

    /** The spilled chunks, in archive order. */
    interface SpillConsumer {
        void chunk(int table, InputStream content) throws IOException, SQLException;
    }

    /** Hands every spilled chunk, in archive order, to {@code consumer}. */
    void replaySpill(SpillConsumer consumer) throws IOException, SQLException {
        if (spilled.isEmpty()) {
            return;
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(spillFile), 1 << 16)) {
            for (Spilled s : spilled) {
                Bounded chunk = new Bounded(in, s.length());
                consumer.chunk(s.table(), chunk);
                if (chunk.left != 0) {
                    throw new IOException("the restore's spill file " + spillFile + " is shorter than written");
                }
            }
        }
    }

    /**
     * The statement that replaces the backup's preData statement {@code index}: moving the staged table into its
     * schema instead of creating it; null for statements to run as they are.
     */
    String statementFor(int index) {
        Integer table = stagedAt.get(index);
        if (table == null) {
            return null;
        }
        TableRef t = tables.get(table);
        return "ALTER TABLE " + Sql.qualified(stagingSchemas.get(t.schema()), t.name()) + " SET SCHEMA "
                + Sql.ident(t.schema());
    }

    /** Whether the backup's postData statement {@code index} already ran on a staged table (it moved with it). */
    boolean ranOnStagedTable(int index) {
        return postDone.contains(index);
    }

    /** Drops the staging schemas inside the restore's transaction, once every staged table has moved out. */
    void dropEmptySchemas(Connection c) throws SQLException {
        for (String staging : stagingSchemas.values()) {
            Sql.execute(c, "DROP SCHEMA " + Sql.ident(staging));
        }
    }

    /**
     * Drops the staging schemas and what is left in them, on a connection of its own: after a failure, or after the
     * restore's transaction was rolled back (the staged tables are then back in them). Harmless after a commit (the
     * schemas are gone). A failure is logged, with the schemas' names, and not thrown: the restore's outcome stands.
     */
    void dropSchemas() {
        if (!schemasCreated) {
            return;
        }
        try (Connection c = settings.connections().open()) {
            c.setAutoCommit(true);
            for (String staging : stagingSchemas.values()) {
                Sql.execute(c, "DROP SCHEMA IF EXISTS " + Sql.ident(staging) + " CASCADE");
            }
        } catch (SQLException e) {
            LOG.warn("{} - could not drop the restore's staging schemas {} of part '{}': {}; the next restore drops "
                    + "them, or drop them by hand", operationId, stagingSchemas.values(), settings.partName(),
                    Sql.describe(e));
        }
    }

    /**
     * Stops the COPY threads (cancelling a COPY in progress), rolls back uncommitted loading transactions, closes the
     * loading connections and deletes the spill file. Idempotent; never throws.
     */
    @Override
    public void close() {
        for (Helper h : helpers) {
            h.pipeline().close();
            try {
                if (!h.connection().isClosed() && !h.connection().getAutoCommit()) {
                    h.connection().rollback();
                }
            } catch (SQLException e) {
                // a broken connection cannot roll back; closing it ends the transaction on the server
            }
            Closeables.closeQuietly(h.connection()); // the server ends the session and its transaction
        }
        helpers.clear();
        try {
            if (spillOut != null) {
                spillOut.close();
            }
        } catch (IOException e) {
            // the file is deleted next
        }
        if (spillFile != null) {
            try {
                Files.deleteIfExists(spillFile);
            } catch (IOException e) {
                LOG.warn("{} - could not delete the restore's spill file {}: {}", operationId, spillFile,
                        e.toString());
            }
        }
    }

    /** The next {@code length} bytes of the spill file; does not close it. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        long left;

        Bounded(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
