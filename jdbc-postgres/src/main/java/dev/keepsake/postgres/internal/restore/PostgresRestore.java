package dev.keepsake.postgres.internal.restore;

import dev.keepsake.core.spi.support.Closeables;
import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartReader;
import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.postgres.IncompatibleServerVersionException;
import dev.keepsake.postgres.PostgresRestoreException;
import dev.keepsake.postgres.internal.PartAttributes;
import dev.keepsake.postgres.internal.PartLayout;
import dev.keepsake.postgres.internal.PartSettings;
import dev.keepsake.postgres.internal.ServerInfo;
import dev.keepsake.postgres.internal.Sql;
import dev.keepsake.postgres.internal.TableList;
import dev.keepsake.postgres.internal.copy.BinaryCopy;
import dev.keepsake.postgres.internal.copy.CopyPipeline;
import dev.keepsake.postgres.internal.schema.SchemaScript;
import dev.keepsake.postgres.internal.schema.TableRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Stages the PostgreSQL part in ONE open transaction on one connection: the backup's schemas are emptied and
 * recreated, the data copied in (chunk by chunk, {@code COPY ... FREEZE} into the tables just created), then
 * constraints, indexes, triggers, sequence values and materialized views; deferred constraints are checked. Nothing is
 * visible to other sessions until {@link PreparedRestore#commit()}. A part of another layout than {@link PartLayout}'s
 * is refused before anything is touched. One restore at a time per instance.
 */
public final class PostgresRestore {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresRestore.class);

    /** Largest table list read (about 200 bytes per table). */
    private static final long MAX_TABLE_LIST_BYTES = 256L << 20;

    private final PartSettings settings;

    public PostgresRestore(PartSettings settings) {
        this.settings = settings;
    }

    public PreparedRestore prepare(PartReader in, JobContext context) throws IOException {
        String part = settings.partName();
        Map<String, String> attributes = in.attributes();
        checkLayout(attributes.get(PartAttributes.LAYOUT));
        int backupVersionNum = parseVersionNum(attributes.get(PartAttributes.SERVER_VERSION_NUM));
        Connection c;
        try {
            c = settings.connections().open();
        } catch (SQLException e) {
            throw new PostgresRestoreException("restore of part '" + part + "' could not connect to the database: "
                    + Sql.describe(e) + ". Nothing was changed.", true, e);
        }
        boolean handedOver = false;
        Stage stage = new Stage("checking the target server");
        LockLimit limits = null;
        StagedLoad staged = null;
        try {
            ServerInfo target = ServerInfo.read(c);
            checkVersions(backupVersionNum, target, attributes.getOrDefault(PartAttributes.SERVER_VERSION,
                    ServerInfo.display(backupVersionNum)));
            limits = LockLimit.read(c);

            stage.set("reading the schema");
            SchemaScript script = readScript(in);
            BitSet binary = readTableList(in, script);
            staged = StagedLoad.plan(settings, context.operationId(), script, binary);
            if (staged != null && !mayStage(c, script)) {
                staged = null;
            }
            if (staged != null) {
                long stagingStarted = System.nanoTime();
                stage.set("loading the big tables on " + staged.connections() + " connections");
                context.phase("copying data");
                staged.start(c);
                StagedLoad loading = staged;
                try {
                    readData(in, script.tables(), stage, (index, chunk, size, content) -> loading.accept(index, chunk,
                            in.chunkCount(PartLayout.streamName(index)), size, content));
                    loading.finishLoading();
                } catch (SQLException e) {
                    if (loading.failedWhile() != null) {
                        stage.set(loading.failedWhile());
                    }
                    throw e;
                }
                LOG.debug("{} - part '{}': {} tables staged on {} connections in {} ms", context.operationId(), part,
                        staged.stagedTables(), staged.connections(), (System.nanoTime() - stagingStarted) / 1_000_000);
            }

            long transactionStarted = System.nanoTime();
            c.setAutoCommit(false);
            Sql.execute(c, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED"); // COPY FREEZE needs no older snapshot
            configureTransaction(c, settings, context.operationId());

            stage.set("replacing the schemas " + script.schemas());
            context.phase("replacing schema");
            SchemaReplacer replacer = new SchemaReplacer();
            replacer.inspect(c, script.schemas());
            List<String> outside = SchemaReplacer.outsideDependents(c, script.schemas(), 20);
            if (!outside.isEmpty()) {
                throw refusedForOutsideDependents(script, outside);
            }
            StagedLoad.dropLeftovers(c, staged == null ? List.of() : staged.schemaNames());
            long locksNeeded = SchemaReplacer.relationCount(c, script.schemas())
                    + script.preData().size() + script.postData().size() + 2L * script.tables().size();
            stage.locksNeeded = locksNeeded;
            replacer.empty(c);
            replacer.createMissing(c, script.schemas(), script.preData());
            runStatements(c, "schema", script.preData(), replacer, stage, staged);
            if (!"true".equals(attributes.get(PartAttributes.OWNERS_AND_PRIVILEGES))) {
                stage.set("giving the replaced schemas back their owners and grants");
                replacer.restoreOwnersAndGrants(c);
            }

            long schemaDone = System.nanoTime();
            context.phase(staged == null ? "copying data" : "copying the tables that were not staged");
            copyData(c, in, script, binary, stage, staged);
            long dataDone = System.nanoTime();

            context.phase("creating indexes and constraints");
            runStatements(c, "post-data", script.postData(), replacer, stage, staged);
            if (staged != null) {
                stage.set("dropping the emptied staging schemas");
                staged.dropEmptySchemas(c);
            }
            stage.set("checking deferred constraints");
            Sql.execute(c, "SET CONSTRAINTS ALL IMMEDIATE");
            checkInterrupted(stage);
            LOG.debug("{} - part '{}' staged, transaction open: {} statements, {} tables; schema {} ms, data {} ms,"
                            + " indexes and constraints {} ms", context.operationId(), part,
                    script.preData().size() + script.postData().size(), script.tables().size(),
                    (schemaDone - transactionStarted) / 1_000_000, (dataDone - schemaDone) / 1_000_000,
                    (System.nanoTime() - dataDone) / 1_000_000);
            handedOver = true;
            return new PreparedPostgresRestore(c, part, staged == null ? () -> { } : staged::dropSchemas);
        } catch (SQLException e) {
            throw failure(stage, e, limits);
        } finally {
            if (staged != null) {
                staged.close();
            }
            if (!handedOver) {
                rollbackAndClose(c);
                if (staged != null) {
                    staged.dropSchemas();
                }
            }
        }
    }

    /**
     * Whether this restore may stage tables: the role may create schemas in the database, and the replacement will
     * not be refused for objects outside the backup's schemas (checked again, authoritatively, in the transaction;
     * checked here so that a refusal does not come after the loading). On {@code c} in autocommit mode.
     */
    private boolean mayStage(Connection c, SchemaScript script) throws SQLException {
        try (var st = c.createStatement();
             var rs = st.executeQuery("SELECT pg_catalog.has_database_privilege(pg_catalog.current_database(),"
                     + " 'CREATE')")) {
            if (!rs.next() || !rs.getBoolean(1)) {
                return false;
            }
        }
        List<String> outside = SchemaReplacer.outsideDependents(c, script.schemas(), 20);
        if (!outside.isEmpty()) {
            throw refusedForOutsideDependents(script, outside);
        }
        return true;
    }

    private PostgresRestoreException refusedForOutsideDependents(SchemaScript script, List<String> outside) {
        return new PostgresRestoreException("restore of part '" + settings.partName() + "' would drop objects "
                + "outside the backup's schemas " + script.schemas() + " that depend on objects inside them: "
                + String.join("; ", outside) + (outside.size() == 20 ? "; ..." : "") + ". Drop them (or "
                + "back up their schemas too) and restore again. Nothing was changed.", true, null);
    }

    private void checkVersions(int backupVersionNum, ServerInfo target, String backupVersion) {
        int backupMajor = ServerInfo.major(backupVersionNum);
        if (backupMajor > target.major()) {
            throw new IncompatibleServerVersionException("part '" + settings.partName() + "' was backed up from "
                    + "PostgreSQL " + backupVersion + " (major " + backupMajor + "), which is newer than the target "
                    + "server's PostgreSQL " + target.version() + " (major " + target.major() + "): restore it into "
                    + "a server of major version " + backupMajor + " or later. Nothing was changed.");
        }
        if (target.major() < ServerInfo.OLDEST_MAJOR) {
            throw new IncompatibleServerVersionException("the target server runs PostgreSQL " + target.version()
                    + ", older than the oldest supported major " + ServerInfo.OLDEST_MAJOR + " (the backup is from "
                    + "PostgreSQL " + backupVersion + "). Nothing was changed.");
        }
    }

    /**
     * Refuses, before anything is touched, a part of another layout than {@link PartLayout#VERSION}: a higher number
     * was made by a newer Keepsake; anything else means the part is damaged or was not made by Keepsake.
     */
    private void checkLayout(String layout) {
        if (Integer.toString(PartLayout.VERSION).equals(layout)) {
            return;
        }
        if (layout != null && layout.matches("[1-9][0-9]{0,8}") && Integer.parseInt(layout) > PartLayout.VERSION) {
            throw new PostgresRestoreException("part '" + settings.partName() + "' of the archive has layout " + layout
                    + " (this version reads layout " + PartLayout.VERSION + "): it was made by a newer Keepsake;"
                    + " restore it with a version at least as new as the one that made it. Nothing was changed.",
                    true, null);
        }
        throw new PostgresRestoreException("part '" + settings.partName() + "' of the archive has "
                + (layout == null ? "no " + PartAttributes.LAYOUT + " attribute"
                : "an invalid " + PartAttributes.LAYOUT + " attribute '" + layout + "'")
                + ": it is damaged or was not made by this Keepsake. Nothing was changed.", true, null);
    }

    private int parseVersionNum(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException | NullPointerException e) {
            throw new PostgresRestoreException("part '" + settings.partName() + "' of the archive lacks a valid "
                    + PartAttributes.SERVER_VERSION_NUM + " attribute (found '" + value + "'). Nothing was changed.",
                    true, e);
        }
    }

    private SchemaScript readScript(PartReader in) throws IOException {
        Optional<PartReader.Entry> first = in.next();
        if (first.isEmpty() || !first.get().entry().name().equals(PartLayout.SCHEMA_ENTRY)
                || first.get().entry().type() != ArchiveEntry.Type.FILE) {
            throw new PostgresRestoreException("part '" + settings.partName() + "' of the archive does not start with "
                    + PartLayout.SCHEMA_ENTRY + ". Nothing was changed.", true, null);
        }
        String text = new String(first.get().content().readAllBytes(), StandardCharsets.UTF_8);
        try {
            return SchemaScript.fromText(text);
        } catch (RuntimeException e) {
            throw new PostgresRestoreException("part '" + settings.partName() + "': " + PartLayout.SCHEMA_ENTRY
                    + " cannot be read: " + e.getMessage() + ". Nothing was changed.", true, e);
        }
    }

    /** The settings of a restore transaction (the restore's own, and each staging connection's). */
    static void configureTransaction(Connection c, PartSettings settings, String operationId) throws SQLException {
        Sql.set(c, "application_name", "keepsake restore " + operationId, true);
        Sql.set(c, "search_path", "", true);
        Sql.set(c, "synchronous_commit", "off", true);
        Sql.set(c, "maintenance_work_mem", settings.maintenanceWorkMemMiB() + "MB", true);
        Sql.set(c, "lock_timeout", settings.lockTimeout().toMillis() + "ms", true);
        Sql.set(c, "statement_timeout", "0", true);
        Sql.set(c, "idle_in_transaction_session_timeout", "0", true);
        Sql.set(c, "check_function_bodies", "off", true);
        Sql.set(c, "client_min_messages", "warning", true);
        Sql.set(c, "DateStyle", "ISO", true);
        Sql.set(c, "IntervalStyle", "postgres", true);
        Sql.set(c, "extra_float_digits", "3", true);
        Sql.set(c, "standard_conforming_strings", "on", true);
        Sql.set(c, "xmloption", "content", true);
        Sql.set(c, "default_transaction_read_only", "off", true);
        Sql.set(c, "default_table_access_method", "heap", true);
        Sql.set(c, "default_tablespace", "", true);
    }

    /**
     * Runs {@code statements} of the schema's {@code section} ("schema" or "post-data"): with tables {@code staged},
     * a staged table's CREATE becomes the move of the staged table, and what was built on it is skipped.
     */
    private static void runStatements(Connection c, String section, List<String> statements, SchemaReplacer replacer,
                                      Stage stage, StagedLoad staged) throws SQLException, InterruptedIOException {
        boolean post = section.equals("post-data");
        for (int i = 0; i < statements.size(); i++) {
            if (post && staged != null && staged.ranOnStagedTable(i)) {
                continue;
            }
            String moved = post || staged == null ? null : staged.statementFor(i);
            String sql = moved != null ? moved : statements.get(i);
            if (moved == null && replacer.targetsKeptSchema(sql)) {
                continue;
            }
            checkInterrupted(stage);
            stage.set(section + " statement " + (i + 1) + " of " + statements.size() + " (" + Sql.abbreviate(sql) + ")");
            Sql.execute(c, sql);
        }
    }

    /** The table list that follows the schema: the tables in binary format. */
    private BitSet readTableList(PartReader in, SchemaScript script) throws IOException {
        Optional<PartReader.Entry> next = in.next();
        if (next.isEmpty() || !next.get().entry().name().equals(PartLayout.TABLES_ENTRY)
                || next.get().entry().type() != ArchiveEntry.Type.FILE
                || next.get().entry().size() > MAX_TABLE_LIST_BYTES) {
            throw new PostgresRestoreException("part '" + settings.partName() + "' of the archive does not have its "
                    + "table list " + PartLayout.TABLES_ENTRY + " after the schema. Nothing was changed.", true, null);
        }
        String text = new String(next.get().content().readAllBytes(), StandardCharsets.UTF_8);
        try {
            return TableList.binaryTables(text, script.tables().size());
        } catch (IllegalArgumentException e) {
            throw new PostgresRestoreException("part '" + settings.partName() + "' of the archive has an invalid "
                    + PartLayout.TABLES_ENTRY + ": " + e.getMessage() + ". Nothing was changed.", true, e);
        }
    }

    /** The start of the messages about loading {@code table}'s rows, e.g. "copying data into table public.actor". */
    static String copyingInto(TableRef table) {
        return "copying data into " + table.describe();
    }

    /** Takes one chunk of a table's rows ({@code content} may be empty). */
    private interface ChunkConsumer {
        void chunk(int table, int chunk, long size, InputStream content) throws IOException, SQLException;
    }

    /**
     * Reads the data chunks from the archive, checking their names and order, and hands each one (also an empty one)
     * to {@code consumer}; fails when a table has no data stream at all.
     */
    private void readData(PartReader in, List<TableRef> tables, Stage stage, ChunkConsumer consumer)
            throws IOException, SQLException {
        int[] chunksSeen = new int[tables.size()];
        Optional<PartReader.Entry> next;
        while ((next = in.next()).isPresent()) {
            ArchiveEntry entry = next.get().entry();
            int index = tableIndex(entry, tables.size());
            int chunk = entry.chunkIndex();
            if (chunk != chunksSeen[index]) {
                throw new PostgresRestoreException("part '" + settings.partName() + "': stream " + entry.name()
                        + " has chunk " + chunk + " where chunk " + chunksSeen[index] + " was expected. Nothing"
                        + " was changed.", true, null);
            }
            chunksSeen[index]++;
            checkInterrupted(stage);
            stage.set(CopyPipeline.describe(copyingInto(tables.get(index)), chunk, chunk));
            consumer.chunk(index, chunk, entry.size(), next.get().content());
        }
        for (int i = 0; i < tables.size(); i++) {
            if (chunksSeen[i] == 0) {
                throw new PostgresRestoreException("part '" + settings.partName() + "' of the archive has no data "
                        + "stream for " + tables.get(i).describe() + " (" + PartLayout.streamName(i)
                        + "). Nothing was changed.", true, null);
            }
        }
    }

    /**
     * Copies the tables' rows in the restore's transaction: read from the archive, or, when tables were staged, the
     * other tables' rows from the spill file.
     */
    private void copyData(Connection c, PartReader in, SchemaScript script, BitSet binary, Stage stage,
                          StagedLoad staged) throws SQLException, IOException {
        List<TableRef> tables = script.tables();
        try (CopyPipeline pipeline = new CopyPipeline(c, "keepsake-pg-restore-copy-" + settings.partName())) {
            ChunkConsumer copy = (index, chunk, size, content) -> {
                if (size == 0) {
                    return;
                }
                TableRef table = tables.get(index);
                String sql = "COPY " + Sql.qualified(table.schema(), table.name())
                        + Sql.columnList(table.columns()) + " FROM STDIN"
                        + BinaryCopy.options(binary.get(index), settings.copyFreeze());
                pipeline.copy(sql, binary.get(index), copyingInto(table), chunk, content);
            };
            try {
                if (staged == null) {
                    readData(in, tables, stage, copy);
                } else {
                    staged.replaySpill((index, content) -> {
                        checkInterrupted(stage);
                        stage.set(copyingInto(tables.get(index)));
                        copy.chunk(index, -1, -1, content);
                    });
                }
                pipeline.finish();
            } catch (SQLException e) {
                if (pipeline.failedWhile() != null) {
                    stage.set(pipeline.failedWhile());
                }
                throw e;
            }
        }
    }

    private int tableIndex(ArchiveEntry entry, int tableCount) {
        String name = entry.name();
        int index = -1;
        if (entry.type() == ArchiveEntry.Type.CHUNK && name.startsWith(PartLayout.DATA_PREFIX)
                && name.substring(PartLayout.DATA_PREFIX.length()).matches("\\d{6}")) {
            index = Integer.parseInt(name.substring(PartLayout.DATA_PREFIX.length()));
        }
        if (index < 0 || index >= tableCount) {
            throw new PostgresRestoreException("part '" + settings.partName() + "' of the archive has an unexpected "
                    + "entry " + entry.name() + " (" + entry.type() + "). Nothing was changed.", true, null);
        }
        return index;
    }

    private static void checkInterrupted(Stage stage) throws InterruptedIOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("restore interrupted while " + stage.description
                    + "; nothing was changed (the transaction is rolled back)");
        }
    }

    private PostgresRestoreException failure(Stage stage, SQLException e, LockLimit limits) {
        String part = settings.partName();
        if (LockLimit.isLockExhaustion(e) && limits != null) {
            return new PostgresRestoreException(limits.explain(part, stage.locksNeeded), true, e);
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        // 08P01 (protocol violation) is the server refusing malformed binary COPY data: the session lives on;
        // 57P01-57P05 (administrator or crash shutdown, idle session timeout, ...) end the session
        if ((state.startsWith("08") && !"08P01".equals(state)) || state.startsWith("57P0")) {
            return new PostgresRestoreException("restore of part '" + part + "' lost its database connection while "
                    + stage.description + ": " + Sql.describe(e) + ". Nothing was changed: the restore runs in one "
                    + "transaction, which was never committed.", true, e);
        }
        if ("55P03".equals(state)) {
            return new PostgresRestoreException("restore of part '" + part + "' could not lock an object within the "
                    + "lock timeout of " + settings.lockTimeout().toMillis() + " ms while " + stage.description
                    + " (another session is using it): stop the application's access or raise the lock timeout, "
                    + "then restore again. Nothing was changed: the transaction was rolled back.", true, e);
        }
        return new PostgresRestoreException("restore of part '" + part + "' failed while " + stage.description + ": "
                + Sql.describe(e) + ". Nothing was changed: the transaction was rolled back.", true, e);
    }

    private static void rollbackAndClose(Connection c) {
        try {
            if (!c.isClosed() && !c.getAutoCommit()) {
                c.rollback();
            }
        } catch (SQLException e) {
            // a broken connection cannot roll back, but the server rolls back the transaction of a dropped session
        }
        // closing a broken connection can fail; the server ends the session and its transaction either way
        Closeables.closeQuietly(c);
    }

    /** What the restore is doing, for error messages. */
    private static final class Stage {
        String description;
        long locksNeeded;

        Stage(String description) {
            this.description = description;
        }

        void set(String description) {
            this.description = description;
        }
    }
}
