package dev.keepsake.postgres.internal.restore;

import dev.keepsake.core.spi.support.Closeables;
import dev.keepsake.postgres.internal.PartSettings;
import dev.keepsake.postgres.internal.Sql;
import dev.keepsake.postgres.internal.copy.BinaryCopy;
import dev.keepsake.postgres.internal.copy.CopyPipeline;
import dev.keepsake.postgres.internal.schema.SchemaScope;
import dev.keepsake.postgres.internal.schema.SchemaScript;
import dev.keepsake.postgres.internal.schema.StagedBuild;
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
 * {@link StagedBuild}; binary format; at least {@link PartSettings#stagingMinBytes()} on disk) are created and loaded
 * on {@link PartSettings#restoreParallelism()} connections of their own, each in one transaction
 * ({@code COPY ... FREEZE} into the tables it created), in one staging schema ({@value #SCHEMA_PREFIX}...) per schema
 * of the backup: the schema model renders each table's statements for its staging schema
 * ({@link dev.keepsake.postgres.internal.schema.TableDdl#on}). Right after a table's last chunk (the manifest says
 * which, {@link dev.keepsake.core.spi.PartReader#chunkCount}), its loading connection builds the table's indexes and
 * key constraints that name nothing in the backup but the table ({@link StagedBuild#indexes()}). The application does
 * not see the staging schemas. The data of every other table is spilled, in archive order, to a temporary file
 * (owner-only) that the restore's transaction copies from. That transaction then moves each staged table into place
 * with {@code ALTER TABLE ... SET SCHEMA} at the point where the backup's schema creates it ({@link #statementFor}),
 * with the indexes and key constraints its loading connection built on it (the transaction skips those statements:
 * {@link #ranOnStagedTable}), and drops the emptied staging schemas ({@link #dropEmptySchemas}): what the application
 * sees still changes in one commit, or not at all. {@link #dropSchemas()} removes what a failed or rolled-back restore
 * left in the staging schemas.
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
    /** preData index of a staged table's CREATE to the table's index. */
    private final Map<Integer, Integer> stagedAt = new HashMap<>();
    /** The staged tables whose loading connection has not yet been given their index statements. */
    private final Set<Integer> indexesPending = new HashSet<>();
    /** postData indexes of the statements run on staged tables instead (the restore's transaction skips them). */
    private final Set<Integer> postDone = new HashSet<>();
    /** Schema of the backup to its staging schema. */
    private final Map<String, String> stagingSchemas;
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
                       Map<String, String> stagingSchemas, int helperCount) {
        this.settings = settings;
        this.operationId = operationId;
        this.tables = tables;
        this.helperOf = helperOf;
        this.stagingSchemas = new LinkedHashMap<>(stagingSchemas);
        this.helperCount = helperCount;
        for (int i = 0; i < helperOf.length; i++) {
            if (helperOf[i] >= 0) {
                indexesPending.add(i);
            }
        }
    }

    /**
     * Which tables to stage: those with a {@link StagedBuild}, in binary format, of at least
     * {@link PartSettings#stagingMinBytes()}, spread over the loading connections biggest first; null when none
     * qualifies or {@link PartSettings#restoreParallelism()} is 1 (the restore then runs entirely in its transaction).
     */
    static StagedLoad plan(PartSettings settings, String operationId, SchemaScript script, BitSet binary) {
        if (settings.restoreParallelism() < 2) {
            return null;
        }
        List<TableRef> tables = script.tables();
        String token = HexFormat.of().formatHex(randomBytes());
        List<Integer> chosen = new ArrayList<>();
        Map<String, String> schemas = new LinkedHashMap<>();
        for (int i = 0; i < tables.size(); i++) {
            TableRef t = tables.get(i);
            if (t.stageable() && binary.get(i) && t.estimatedBytes() >= settings.stagingMinBytes()) {
                schemas.computeIfAbsent(t.schema(), s -> SCHEMA_PREFIX + token + "_" + schemas.size());
                chosen.add(i);
            }
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
        StagedLoad staged = new StagedLoad(settings, operationId, tables, helperOf, schemas, helpers);
        for (int i : chosen) {
            StagedBuild build = tables.get(i).stagedBuild();
            staged.stagedAt.put(build.createAt(), i);
            staged.postDone.addAll(build.indexes().keySet());
        }
        return staged;
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return b;
    }

    /** The staging schema of {@code table}'s copy. */
    String stagingSchema(TableRef table) {
        return stagingSchemas.get(table.schema());
    }

    /** The statement creating staged table {@code table} (an index in the script's tables) in its staging schema. */
    String createStatement(int table) {
        TableRef t = tables.get(table);
        return t.stagedBuild().create().on(stagingSchema(t), t.name());
    }

    /** The statements building staged table {@code table}'s indexes and key constraints on its staging copy. */
    List<String> indexStatements(int table) {
        TableRef t = tables.get(table);
        return t.stagedBuild().indexes().values().stream().map(ddl -> ddl.on(stagingSchema(t), t.name())).toList();
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
                        Sql.execute(hc, createStatement(i));
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
                String sql = "COPY " + Sql.qualified(stagingSchema(t), t.name())
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
        for (int table : List.copyOf(indexesPending)) {
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
        if (!indexesPending.remove(table)) {
            return;
        }
        TableRef t = tables.get(table);
        for (String sql : indexStatements(table)) {
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
        return "ALTER TABLE " + Sql.qualified(stagingSchema(t), t.name()) + " SET SCHEMA "
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
