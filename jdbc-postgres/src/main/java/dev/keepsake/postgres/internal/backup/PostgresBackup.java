package dev.keepsake.postgres.internal.backup;

import dev.keepsake.core.spi.support.Closeables;
import dev.keepsake.core.spi.support.DaemonThreads;
import dev.keepsake.core.spi.support.Throwables;
import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartWriter;
import dev.keepsake.postgres.PostgresBackupException;
import dev.keepsake.postgres.internal.PartAttributes;
import dev.keepsake.postgres.internal.PartLayout;
import dev.keepsake.postgres.internal.PartSettings;
import dev.keepsake.postgres.internal.ServerInfo;
import dev.keepsake.postgres.internal.Sql;
import dev.keepsake.postgres.internal.TableList;
import dev.keepsake.postgres.internal.copy.BinaryCopy;
import dev.keepsake.postgres.internal.copy.TableCopier;
import dev.keepsake.postgres.internal.schema.SchemaExtractor;
import dev.keepsake.postgres.internal.schema.SchemaScope;
import dev.keepsake.postgres.internal.schema.SchemaScript;
import dev.keepsake.postgres.internal.schema.TableRef;
import dev.keepsake.postgres.internal.schema.UnsupportedSchemaException;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes the PostgreSQL part: one {@code REPEATABLE READ, READ ONLY} transaction whose snapshot is exported and shared
 * by the other copy connections (opened while the schema is read, see {@link CopyConnections}); the schema read inside
 * it; tables copied biggest first, in parallel (a table much bigger than a fair share cut into ranges of blocks, see
 * {@link CopyPlan}), as chunks of whole rows; all of it in the part's one layout ({@link PartLayout}). One backup at a
 * time per instance (the engine never runs two).
 */
public final class PostgresBackup {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresBackup.class);

    private final PartSettings settings;
    /** The schema version reported to the engine for an operation, checked again inside the snapshot. */
    private final AtomicReference<ReportedVersion> reported = new AtomicReference<>();

    private record ReportedVersion(String operationId, Optional<String> version) {
    }

    public PostgresBackup(PartSettings settings) {
        this.settings = settings;
    }

    /** Reads the schema version in a short read-only transaction of its own. */
    public Optional<String> schemaVersion(JobContext context) throws IOException {
        try (Connection c = settings.connections().open()) {
            c.setAutoCommit(false);
            Sql.execute(c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            Sql.set(c, "search_path", "", true);
            Optional<String> v = settings.versionProvider().schemaVersion(c);
            c.rollback();
            reported.set(new ReportedVersion(context.operationId(), v));
            return v;
        } catch (SQLException e) {
            throw new PostgresBackupException("could not read the schema version of part '" + settings.partName()
                    + "': " + Sql.describe(e), e);
        }
    }

    public void write(PartWriter out, JobContext context) throws IOException {
        String op = context.operationId();
        List<Connection> connections = new ArrayList<>();
        CopyConnections extraConnections = null;
        String step = "opening the snapshot";
        long started = System.nanoTime();
        try {
            context.phase("opening snapshot");
            Connection main = settings.connections().open();
            connections.add(main);
            configureSession(main, op);
            main.setAutoCommit(false);
            Sql.execute(main, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            String snapshot = exportSnapshot(main);
            ServerInfo server = ServerInfo.read(main);
            if (server.major() < ServerInfo.OLDEST_MAJOR) {
                throw new PostgresBackupException("PostgreSQL " + server.version() + " is not supported: back up "
                        + "servers of major version " + ServerInfo.OLDEST_MAJOR + " or later", null);
            }
            step = "locking the tables in scope (ACCESS SHARE)";
            int inScope = lockTables(main);
            boolean cutRanges = CopyPlan.rangesPayOff(server.loopback(), settings.parallelism(),
                    Runtime.getRuntime().availableProcessors());
            // the other copy connections open while the schema is read: as many as could have work
            int mayWork = cutRanges ? settings.parallelism() : Math.min(settings.parallelism(), inScope);
            int extra = Math.max(0, mayWork - 1);
            extraConnections = new CopyConnections(settings.connections(), extra, c -> {
                configureSession(c, op);
                c.setAutoCommit(false);
                Sql.execute(c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                Sql.execute(c, "SET TRANSACTION SNAPSHOT " + Sql.literal(snapshot));
            }, op);
            step = "reading the schema";
            context.phase("reading schema");
            SchemaScript script = new SchemaExtractor(settings.scope()).extract(main);
            checkSchemaVersion(main, context);
            BitSet binary = settings.binaryCopy() ? BinaryCopy.eligible(main, script.tables())
                    : new BitSet();
            step = "recording the schema";
            recordMetadata(out, server, script, binary);

            List<CopyWork> order = CopyPlan.plan(main, script.tables(), server.major(), settings.parallelism(),
                    cutRanges, CopyPlan.MIN_RANGE_BYTES);
            int workers = Math.max(1, Math.min(1 + extraConnections.expected(), order.size()));
            step = "opening the copy connections";
            try {
                connections.addAll(extraConnections.take(workers - 1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                InterruptedIOException ie = new InterruptedIOException("backup of part '" + settings.partName()
                        + "' was interrupted while opening its copy connections");
                ie.initCause(e);
                throw ie;
            }
            LOG.debug("{} - copying {} tables of part '{}' with {} connections", op, order.size(),
                    settings.partName(), workers);
            step = "copying the tables";
            long copyStart = System.nanoTime();
            copyTables(out, context, script.tables(), binary, order, connections);
            main.commit();
            LOG.debug("{} - part '{}' written: schema {} ms, data {} ms", op, settings.partName(),
                    (copyStart - started) / 1_000_000, (System.nanoTime() - copyStart) / 1_000_000);
        } catch (UnsupportedSchemaException e) {
            throw new PostgresBackupException("backup of part '" + settings.partName() + "' refused: "
                    + e.getMessage(), e);
        } catch (SQLException e) {
            throw new PostgresBackupException("backup of part '" + settings.partName() + "' failed while " + step
                    + ": " + Sql.describe(e), e);
        } finally {
            if (extraConnections != null) {
                extraConnections.close();
            }
            closeAll(connections);
        }
    }

    private void configureSession(Connection c, String operationId) throws SQLException {
        Sql.set(c, "application_name", "keepsake backup " + operationId, false);
        Sql.set(c, "search_path", "", false);
        Sql.set(c, "DateStyle", "ISO", false);
        Sql.set(c, "IntervalStyle", "postgres", false);
        Sql.set(c, "extra_float_digits", "3", false);
        Sql.set(c, "bytea_output", "hex", false);
        Sql.set(c, "statement_timeout", "0", false);
        Sql.set(c, "idle_in_transaction_session_timeout", "0", false);
        Sql.set(c, "lock_timeout", settings.lockTimeout().toMillis() + "ms", false);
        // fail rather than silently back up only the rows a row-level security policy lets this role see
        Sql.set(c, "row_security", "off", false);
    }

    private static String exportSnapshot(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_export_snapshot()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * Takes ACCESS SHARE locks on the tables in scope (as pg_dump does) so that no DDL can change them while they are
     * copied; writes by the application go on. Returns how many tables it locked.
     */
    private int lockTables(Connection c) throws SQLException {
        SchemaScope scope = settings.scope();
        List<String> names = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT n.nspname, c.relname FROM pg_catalog.pg_class c"
                     + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                     + " WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema'"
                     + " AND n.nspname !~ '^pg_' ORDER BY 1, 2")) {
            while (rs.next()) {
                String schema = rs.getString(1);
                String table = rs.getString(2);
                boolean inScope = (scope.includeSchemas().isEmpty() || scope.includeSchemas().contains(schema))
                        && !scope.excludeSchemas().contains(schema)
                        && !scope.excludeTables().contains(schema + "." + table);
                if (inScope) {
                    names.add("ONLY " + Sql.qualified(schema, table));
                }
            }
        }
        for (int from = 0; from < names.size(); from += 500) {
            List<String> batch = names.subList(from, Math.min(names.size(), from + 500));
            Sql.execute(c, "LOCK TABLE " + String.join(", ", batch) + " IN ACCESS SHARE MODE");
        }
        return names.size();
    }

    private void checkSchemaVersion(Connection main, JobContext context) throws SQLException {
        ReportedVersion r = reported.getAndSet(null);
        if (r == null || !r.operationId().equals(context.operationId())) {
            return;
        }
        Optional<String> now = settings.versionProvider().schemaVersion(main);
        if (!now.equals(r.version())) {
            throw new PostgresBackupException("the schema version of part '" + settings.partName() + "' changed from "
                    + r.version().orElse("(none)") + " to " + now.orElse("(none)")
                    + " while the backup started (a migration ran): run the backup again", null);
        }
    }

    private void recordMetadata(PartWriter out, ServerInfo server, SchemaScript script, BitSet binary)
            throws IOException {
        out.putAttribute(PartAttributes.LAYOUT, Integer.toString(PartLayout.VERSION));
        out.putAttribute(PartAttributes.DATA_FORMAT, binary.isEmpty() ? "text"
                : binary.cardinality() == script.tables().size() ? "binary" : "text+binary");
        out.putAttribute(PartAttributes.SERVER_VERSION_NUM, Integer.toString(server.versionNum()));
        out.putAttribute(PartAttributes.SERVER_VERSION, server.version());
        out.putAttribute(PartAttributes.SERVER_ENCODING, server.encoding());
        out.putAttribute(PartAttributes.DATABASE, server.database());
        out.putAttribute(PartAttributes.OWNERS_AND_PRIVILEGES,
                Boolean.toString(settings.scope().includeOwnersAndPrivileges()));
        out.putAttribute(PartAttributes.SCHEMAS, Integer.toString(script.schemas().size()));
        out.putAttribute(PartAttributes.TABLES, Integer.toString(script.tables().size()));
        out.putAttribute(PartAttributes.STATEMENTS, Integer.toString(script.preData().size()
                + script.postData().size()));
        writeFile(out, PartLayout.SCHEMA_ENTRY, script.toText().getBytes(StandardCharsets.UTF_8));
        writeFile(out, PartLayout.TABLES_ENTRY, TableList.write(script.tables(), binary)
                .getBytes(StandardCharsets.UTF_8));
    }

    private static void writeFile(PartWriter out, String name, byte[] content) throws IOException {
        try (OutputStream os = out.addEntry(ArchiveEntry.file(name, content.length, ArchiveEntry.DEFAULT_FILE_MODE,
                Instant.now()))) {
            os.write(content);
        }
    }

    private void copyTables(PartWriter out, JobContext context, List<TableRef> tables, BitSet binary,
                            List<CopyWork> order, List<Connection> connections) throws IOException, SQLException {
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        String op = context.operationId();
        ExecutorService pool = Executors.newFixedThreadPool(connections.size(),
                DaemonThreads.factory("keepsake-pg-copy", op));
        List<ExecutorService> appenders = new ArrayList<>();
        for (int i = 0; i < connections.size(); i++) {
            appenders.add(Executors.newSingleThreadExecutor(DaemonThreads.factory("keepsake-pg-append-" + (i + 1), op)));
        }
        CompletionService<Void> done = new ExecutorCompletionService<>(pool);
        List<Future<Void>> futures = new ArrayList<>();
        try {
            for (int w = 0; w < connections.size(); w++) {
                Connection c = connections.get(w);
                TableCopier copier = new TableCopier(settings.chunkSize(), appenders.get(w));
                futures.add(done.submit(() -> {
                    int k;
                    while (!stop.get() && (k = next.getAndIncrement()) < order.size()) {
                        CopyWork work = order.get(k);
                        int index = work.tableIndex();
                        TableRef table = tables.get(index);
                        context.phase("copying " + table.schema() + "." + table.name());
                        try {
                            copier.copy(c, table, work.range(), binary.get(index), PartLayout.streamName(index), out, stop::get);
                        } catch (SQLException e) {
                            throw new PostgresBackupException("backup of part '" + settings.partName()
                                    + "' failed while copying " + table.describe() + ": "
                                    + Sql.describe(e), e);
                        }
                    }
                    return null;
                }));
            }
            Throwable first = null;
            for (int i = 0; i < futures.size(); i++) {
                try {
                    done.take().get();
                } catch (ExecutionException e) {
                    stop.set(true);
                    Throwable cause = e.getCause();
                    if (first == null || first instanceof TableCopier.CancelledException) {
                        if (first != null) {
                            cause.addSuppressed(first);
                        }
                        first = cause;
                    } else if (!(cause instanceof TableCopier.CancelledException)) {
                        first.addSuppressed(cause);
                    }
                }
            }
            if (first != null) {
                throw Throwables.rethrow(first, IOException.class, SQLException.class);
            }
        } catch (InterruptedException e) {
            stop.set(true);
            futures.forEach(f -> f.cancel(true));
            cancelQueries(connections);
            Thread.currentThread().interrupt();
            InterruptedIOException ie = new InterruptedIOException("backup of part '" + settings.partName()
                    + "' was interrupted");
            ie.initCause(e);
            throw ie;
        } finally {
            pool.shutdownNow();
            awaitQuietly(pool);
            appenders.forEach(ExecutorService::shutdown);
            appenders.forEach(PostgresBackup::awaitQuietly);
        }
    }

    private static void cancelQueries(List<Connection> connections) {
        for (Connection c : connections) {
            try {
                c.unwrap(PGConnection.class).cancelQuery();
            } catch (SQLException e) {
                // best effort: the connection is closed right after, which ends the query anyway
            }
        }
    }

    private static void awaitQuietly(ExecutorService pool) {
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("copy threads did not stop within 30 s after the backup ended");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeAll(List<Connection> connections) {
        // closing rolls back the read-only transaction if still open; closing a broken connection can fail, and
        // nothing was written through it
        connections.forEach(Closeables::closeQuietly);
    }
}
