package dev.keepsake.postgres;

import dev.keepsake.core.InvalidConfigurationException;
import dev.keepsake.core.spi.BackupJob;
import dev.keepsake.core.spi.JobContext;
import dev.keepsake.core.spi.PartReader;
import dev.keepsake.core.spi.PartWriter;
import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.core.spi.RestoreJob;
import dev.keepsake.postgres.internal.ConnectionSource;
import dev.keepsake.postgres.internal.PartSettings;
import dev.keepsake.postgres.internal.backup.PostgresBackup;
import dev.keepsake.postgres.internal.restore.PostgresRestore;
import dev.keepsake.postgres.internal.schema.SchemaScope;
import dev.keepsake.postgres.spi.SchemaVersionProvider;

import javax.sql.DataSource;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The PostgreSQL part of a backup: a consistent snapshot of a database's schemas and data, restored all-or-nothing
 * in one transaction. Register it with the engine: {@code MaintenanceEngine.builder().part(part)}. Its commit (one
 * {@code COMMIT}) cannot be undone, so the engine commits it after the parts whose commit can be (volumes).
 *
 * <p>Pure Java over JDBC: no {@code pg_dump}, {@code pg_restore} or {@code psql} at run time. PostgreSQL 13 to 18;
 * a backup restores into the same or a newer major.
 *
 * <p><b>Backup</b>: one {@code REPEATABLE READ, READ ONLY} transaction whose snapshot is exported and shared by the
 * other copy connections ({@link Builder#parallelism}); ACCESS SHARE locks on the tables in scope (the application
 * keeps reading and writing; only DDL on those tables waits); the schema from the catalogs; every table streamed with
 * {@code COPY ... TO STDOUT}, biggest first, in chunks of whole rows. The role needs {@code USAGE} on the schemas and
 * {@code SELECT} on the tables and sequences, and must not be subject to row-level security (owner without
 * {@code FORCE ROW LEVEL SECURITY}, {@code BYPASSRLS} or superuser): like pg_dump, the backup fails rather than
 * silently saving only the rows a policy shows.
 *
 * <p><b>Restore</b>: what the application sees changes in ONE transaction, left open by {@link #prepare} and
 * committed by the engine — the database afterwards equals the backup, or is exactly as before. Before it starts,
 * the big tables that allow it are created and loaded in parallel, in staging schemas the application does not use
 * ({@link Builder#restoreParallelism}); the transaction moves them into place. The schemas in the backup are
 * replaced (schemas the target has besides them are not touched; a restore that would have to drop objects in them,
 * e.g. a view on a replaced table, is refused before any change, naming them); {@code public} and schemas the role
 * does not own are emptied and kept with their owner, grants and comment. Data is loaded before indexes and
 * constraints, with {@code COPY ... FREEZE} into the tables just created, {@code synchronous_commit = off} and a larger
 * {@code maintenance_work_mem}. The role needs to own the backup's schemas (or, for {@code public} and kept schemas,
 * the objects in them), {@code CREATE} on the database for new schemas, and extensions must be trusted or already
 * installed. Runs fine as the application's own non-superuser role.
 *
 * <p><b>In the archive</b> the part has one layout, recorded as its attribute {@code layout} ({@code 1}): the schema
 * (with which tables a restore may stage), the list of tables with each one's {@code COPY} format (text or binary),
 * then each table's rows in chunks. A restore refuses a part of any other layout before it changes anything; a higher
 * number means a newer Keepsake made it.
 *
 * <p><b>Thread-safe</b> as far as the engine needs: one backup or restore at a time per instance (the engine never
 * runs two); the configuration is immutable.
 */
public final class PostgresPart implements BackupJob, RestoreJob {

    /** The part type recorded in the manifest. */
    public static final String TYPE = "postgresql";

    private final PartSettings settings;
    private final PostgresBackup backup;
    private final PostgresRestore restore;

    private PostgresPart(PartSettings settings) {
        this.settings = settings;
        this.backup = new PostgresBackup(settings);
        this.restore = new PostgresRestore(settings);
    }

    /** A new builder; the connection is required, everything else has a default. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return settings.partName();
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** The schema version from the configured {@link SchemaVersionProvider} (default: Flyway's history). */
    @Override
    public Optional<String> schemaVersion(JobContext context) throws IOException {
        return backup.schemaVersion(context);
    }

    @Override
    public void write(PartWriter out, JobContext context) throws IOException {
        backup.write(out, context);
    }

    /**
     * Stages the restore in one open transaction and returns it uncommitted: nothing is visible until the engine
     * commits. Refuses (before changing anything) a backup from a newer PostgreSQL major than the target's.
     *
     * @throws IncompatibleServerVersionException when the backup's major is newer than the target server's
     * @throws PostgresRestoreException          when the restore fails; the database is then unchanged
     */
    @Override
    public PreparedRestore prepare(PartReader in, JobContext context) throws IOException {
        return restore.prepare(in, context);
    }

    @Override
    public String toString() {
        return "PostgresPart[" + settings.partName() + "]";
    }

    /**
     * Configuration of a {@link PostgresPart}; {@link #build()} validates it once and lists every problem in one
     * message. Not thread-safe.
     */
    public static final class Builder {
        private static final int MIB = 1024 * 1024;

        private DataSource dataSource;
        private String jdbcUrl;
        private Properties jdbcProperties = new Properties();
        private String name = "postgres";
        private final List<String> includeSchemas = new ArrayList<>();
        private final List<String> excludeSchemas = new ArrayList<>();
        private final List<String> excludeTables = new ArrayList<>();
        private boolean includeOwnersAndPrivileges;
        private int parallelism = 2;
        private int chunkSize = 4 * MIB;
        /** Null: the default, Flyway's history table looked up within the backup's scope. */
        private SchemaVersionProvider schemaVersionProvider;
        private boolean schemaVersionProviderSet;
        private int restoreMaintenanceWorkMemMiB = 64;
        private Duration lockTimeout = Duration.ofMinutes(1);
        private boolean copyFreeze = true;
        private boolean binaryCopy = true;
        private int restoreParallelism = 2;
        private long restoreStagingMinBytes = 32L * MIB;

        private Builder() {
        }

        /**
         * Where connections come from (a pool is fine; the part uses up to {@link #parallelism} at once during a
         * backup, up to {@link #restoreParallelism} + 1 during a restore). Backups are cheaper when its connections
         * read through {@link CopySocketFactory}: set it as the data source's {@code socketFactory}.
         */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = dataSource;
            return this;
        }

        /**
         * Alternatively to {@link #dataSource}: a {@code jdbc:postgresql://} URL and its connection properties
         * ({@code user}, {@code password}, ...; copied). Its connections read through {@link CopySocketFactory} unless
         * the URL or the properties name a {@code socketFactory} of their own.
         */
        public Builder jdbcUrl(String url, Properties properties) {
            this.jdbcUrl = url;
            this.jdbcProperties = new Properties();
            if (properties != null) {
                this.jdbcProperties.putAll(properties);
            }
            return this;
        }

        /** The part's name in the archive. Default {@code postgres}. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Back up only these schemas (exact names). Default: every non-system schema. */
        public Builder includeSchemas(List<String> schemas) {
            includeSchemas.addAll(schemas);
            return this;
        }

        /** Leave these schemas (exact names) out of the backup; a restore does not touch them. */
        public Builder excludeSchemas(List<String> schemas) {
            excludeSchemas.addAll(schemas);
            return this;
        }

        /**
         * Leave these tables out, given as {@code schema.table} with exact (unquoted) names. A restore replaces whole
         * schemas, so the target's own copy of an excluded table is dropped with the rest of its schema (its data is
         * not in the backup): keep data across restores by putting it in a schema of its own and excluding that
         * schema. Objects that depend on an excluded table (a view, a foreign key) make the backup fail, naming them.
         */
        public Builder excludeTables(List<String> tables) {
            excludeTables.addAll(tables);
            return this;
        }

        /**
         * Whether owners and grants are backed up and restored. Default false, like
         * {@code pg_dump --no-owner --no-privileges}: restored objects belong to the restoring role (replaced schemas
         * keep the owner and grants they had in the target).
         */
        public Builder includeOwnersAndPrivileges(boolean include) {
            this.includeOwnersAndPrivileges = include;
            return this;
        }

        /**
         * Connections copying tables in parallel during a backup, all on one snapshot (1–32). Default 2. On
         * PostgreSQL 14 and later a table much bigger than a fair share is cut into ranges of heap blocks that the
         * connections copy in parallel, but only when the server has cores to spare: it runs on another machine (the
         * connection's server address is not a loopback address), or this machine has at least two cores per
         * connection. A range scan costs the server more per row than a plain {@code COPY} of the table.
         */
        public Builder parallelism(int connections) {
            this.parallelism = connections;
            return this;
        }

        /**
         * Target size of a data chunk in the archive, in bytes (64 KiB – 256 MiB). Default 4 MiB. A backup holds two
         * chunks in memory per connection (one filling from the server while the other is compressed); a row larger
         * than this gets a chunk of its own. A restore loads consecutive chunks of a table with one {@code COPY}.
         */
        public Builder chunkSize(int bytes) {
            this.chunkSize = bytes;
            return this;
        }

        /**
         * How the schema version is read. Default: {@link FlywaySchemaVersion}, looking for
         * {@code flyway_schema_history} only in the schemas the backup covers;
         * {@link FlywaySchemaVersion#historyTable(String)} reads a history table of another name,
         * {@link SchemaVersionProvider#none()} records no version.
         */
        public Builder schemaVersionProvider(SchemaVersionProvider provider) {
            this.schemaVersionProvider = provider;
            this.schemaVersionProviderSet = true;
            return this;
        }

        /**
         * {@code maintenance_work_mem} for the restore's transaction and its loading connections (index builds), in
         * MiB (1–2047). Default 64, PostgreSQL's own default: measured on 2 cores, the 5-million-row primary key of the
         * benchmark builds in 1.5–1.8 s with 64 MiB and in 2.2–2.7 s with 256 MiB (the parallel sort's runs fit the
         * processor caches better); raise it for indexes on wide keys if the restore's own measurements say so.
         */
        public Builder restoreMaintenanceWorkMemMiB(int mib) {
            this.restoreMaintenanceWorkMemMiB = mib;
            return this;
        }

        /**
         * How long a backup (ACCESS SHARE) or restore (dropping and replacing objects) waits for a lock another
         * session holds before failing cleanly; zero waits forever. Default 1 minute.
         */
        public Builder lockTimeout(Duration timeout) {
            this.lockTimeout = timeout;
            return this;
        }

        /**
         * Whether the restore loads data with {@code COPY ... FREEZE} (rows are written already frozen into the
         * tables it just created: no later anti-wraparound rewrite). Default true.
         */
        public Builder copyFreeze(boolean freeze) {
            this.copyFreeze = freeze;
            return this;
        }

        /**
         * Whether the backup copies a table in PostgreSQL's binary {@code COPY} format when every column it copies
         * has a built-in type with a fixed binary form (booleans, numbers, text types, {@code bytea}, dates and
         * times, {@code uuid}, {@code json}/{@code jsonb}, network and bit-string types, and arrays of these).
         * Binary costs the server much less on both sides (no formatting or parsing of values) and is exact; other
         * tables (enums, domains, composite, range and extension types, ...) use the text format. Every major
         * version from 13 reads these forms, so such a backup still restores into the same or a newer major. Default
         * true; false writes every table in text format, as pg_dump does.
         */
        public Builder binaryCopy(boolean binary) {
            this.binaryCopy = binary;
            return this;
        }

        /**
         * Connections that load the big tables in parallel during a restore (1–32). Default 2. With 2 or more, each
         * table of at least {@link #restoreStagingMinBytes} whose {@code CREATE TABLE} allows it (a plain table of
         * built-in column types, backed up in binary format) is created and loaded, before the restore's
         * transaction, in a staging schema of its own ({@code keepsake_staging_...}, which backups leave out), each
         * connection in one transaction with {@code COPY ... FREEZE}, followed by the table's indexes, primary key
         * and unique constraints (those that name nothing in the backup but the table); the restore's transaction
         * then moves these tables into place with {@code ALTER TABLE ... SET SCHEMA}, loads the other tables and
         * builds the remaining indexes and constraints (foreign keys, ...), so the application waits only for that
         * short transaction. The application still sees the whole backup at one commit or nothing; a failed restore
         * drops the staging schemas, and the next restore drops those a crash left behind. Needs {@code CREATE} on
         * the database (without it, everything loads in the one transaction). The rows of the other tables wait in a
         * temporary file (owner-only, in {@code java.io.tmpdir}) while the big ones load. 1 loads everything in the
         * one transaction, on one connection.
         */
        public Builder restoreParallelism(int connections) {
            this.restoreParallelism = connections;
            return this;
        }

        /**
         * Size on disk (with indexes and TOAST, at backup time) from which a table is loaded by the parallel
         * connections of {@link #restoreParallelism}; smaller tables load in the restore's transaction. Default
         * 32 MiB; 0 stages every table that allows it.
         */
        public Builder restoreStagingMinBytes(long bytes) {
            this.restoreStagingMinBytes = bytes;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws InvalidConfigurationException listing every problem
         */
        public PostgresPart build() {
            List<String> problems = new ArrayList<>();
            ConnectionSource connections = ConnectionSource.choose(dataSource, jdbcUrl, jdbcProperties, problems);
            if (name == null || !name.matches("[A-Za-z0-9._:-]{1,100}")) {
                problems.add("name '" + name + "' is invalid: use 1-100 letters, digits, '.', '_', ':' or '-'");
            }
            if (parallelism < 1 || parallelism > 32) {
                problems.add("parallelism must be between 1 and 32 but was " + parallelism);
            }
            if (restoreParallelism < 1 || restoreParallelism > 32) {
                problems.add("restoreParallelism must be between 1 and 32 but was " + restoreParallelism);
            }
            if (restoreStagingMinBytes < 0) {
                problems.add("restoreStagingMinBytes must be 0 or more but was " + restoreStagingMinBytes);
            }
            if (chunkSize < 64 * 1024 || chunkSize > 256 * MIB) {
                problems.add("chunkSize must be between 65536 (64 KiB) and 268435456 (256 MiB) bytes but was "
                        + chunkSize);
            }
            if (schemaVersionProviderSet && schemaVersionProvider == null) {
                problems.add("schemaVersionProvider must not be null (use SchemaVersionProvider.none())");
            }
            if (restoreMaintenanceWorkMemMiB < 1 || restoreMaintenanceWorkMemMiB > 2047) {
                problems.add("restoreMaintenanceWorkMemMiB must be between 1 and 2047 but was "
                        + restoreMaintenanceWorkMemMiB);
            }
            if (lockTimeout == null || lockTimeout.isNegative()) {
                problems.add("lockTimeout must be zero (wait forever) or positive but was " + lockTimeout);
            } else if (lockTimeout.toMillis() > Integer.MAX_VALUE) {
                problems.add("lockTimeout must be at most " + Integer.MAX_VALUE + " ms but was " + lockTimeout);
            }
            checkNames("includeSchemas", includeSchemas, problems);
            checkNames("excludeSchemas", excludeSchemas, problems);
            checkNames("excludeTables", excludeTables, problems);
            for (String t : excludeTables) {
                if (t != null && !t.contains(".")) {
                    problems.add("excludeTables entry '" + t + "' must be schema.table");
                }
            }
            for (String s : includeSchemas) {
                if (excludeSchemas.contains(s)) {
                    problems.add("schema '" + s + "' is both included and excluded");
                }
            }
            if (!problems.isEmpty()) {
                throw new InvalidConfigurationException("invalid PostgresPart configuration: "
                        + String.join("; ", problems));
            }
            SchemaScope scope = new SchemaScope(List.copyOf(includeSchemas), List.copyOf(excludeSchemas),
                    List.copyOf(excludeTables), includeOwnersAndPrivileges);
            SchemaVersionProvider versions = schemaVersionProviderSet ? schemaVersionProvider
                    : new FlywaySchemaVersion(FlywaySchemaVersion.DEFAULT_HISTORY_TABLE, scope.includeSchemas(),
                    scope.excludeSchemas());
            return new PostgresPart(new PartSettings(connections, name, scope, parallelism, chunkSize,
                    versions, restoreMaintenanceWorkMemMiB, lockTimeout, copyFreeze, binaryCopy, restoreParallelism,
                    restoreStagingMinBytes));
        }

        private static void checkNames(String option, List<String> names, List<String> problems) {
            for (String n : names) {
                if (n == null || n.isEmpty() || n.indexOf('\0') >= 0) {
                    problems.add(option + " must not contain null, empty names or NUL characters");
                    return;
                }
            }
        }
    }
}
