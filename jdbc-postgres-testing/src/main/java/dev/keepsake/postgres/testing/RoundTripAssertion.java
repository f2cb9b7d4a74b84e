package dev.keepsake.postgres.testing;

import dev.keepsake.core.ArchiveKey;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.core.OperationStatus;
import dev.keepsake.core.RestoreSource;
import dev.keepsake.core.Version;
import dev.keepsake.core.spi.BackupStore;
import dev.keepsake.postgres.testing.internal.DatabaseContent;
import dev.keepsake.postgres.PostgresPart;
import dev.keepsake.postgres.spi.SchemaVersionProvider;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * For product teams: proves in a test suite that Keepsake round-trips a database's schema and data. One call backs
 * the source database up through the real engine (signed archive in a temporary directory), restores it into an empty
 * target database, and compares both from the catalogs (pure JDBC, no pg_dump): every schema, table, column, default,
 * constraint, index, view, sequence (with its value), function, type, trigger, rule, policy, comment..., and every
 * table's rows (count and a digest of all rows, computed by the server — no table is held in memory).
 *
 * <pre>{@code
 * RoundTripAssertion.assertRoundTrips(sourceDataSource, emptyTargetDataSource);
 * }</pre>
 *
 * <p>Throws {@link AssertionError} with a readable list of differences; depends on no test framework. Owners and
 * privileges are not compared (the default part leaves them out). Thread-safe (stateless).
 */
public final class RoundTripAssertion {

    private static final int MAX_DIFFERENCES = 50;

    private RoundTripAssertion() {
    }

    /**
     * Backs up {@code source} with a default {@link PostgresPart}, restores into {@code emptyTarget} (a database
     * without the source's schemas, e.g. freshly created) and asserts both hold the same schema and data.
     *
     * @throws AssertionError when the backup or restore fails or the databases differ
     */
    public static void assertRoundTrips(DataSource source, DataSource emptyTarget) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(emptyTarget, "emptyTarget");
        Path work = null;
        try {
            work = Files.createTempDirectory("keepsake-roundtrip");
            ArchiveKey key = randomKey();
            Path archive = backUp(source, key, work.resolve("source"));
            restore(emptyTarget, key, archive, work.resolve("target"));
        } catch (IOException e) {
            throw new UncheckedIOException("round trip: temporary files failed", e);
        } finally {
            if (work != null) {
                deleteRecursively(work);
            }
        }
        assertSameContent(source, emptyTarget);
    }

    /**
     * Asserts that two databases hold the same objects (by kind, identity and definition) and the same rows in every
     * table, partition and populated materialized view.
     *
     * @throws AssertionError listing the differences (at most 50)
     */
    public static void assertSameContent(DataSource expected, DataSource actual) {
        DatabaseContent e = read(expected, "expected");
        DatabaseContent a = read(actual, "actual");
        List<String> differences = a.differencesFrom(e, MAX_DIFFERENCES);
        if (!differences.isEmpty()) {
            throw new AssertionError("the databases differ (" + e.objects().size() + " objects and "
                    + e.tables().size() + " tables expected):\n  " + String.join("\n  ", differences));
        }
    }

    private static DatabaseContent read(DataSource ds, String which) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                return DatabaseContent.read(c, true);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new AssertionError("could not read the " + which + " database: " + e.getMessage(), e);
        }
    }

    private static Path backUp(DataSource source, ArchiveKey key, Path dir) throws IOException {
        PostgresPart part = PostgresPart.builder().dataSource(source).schemaVersionProvider(
                SchemaVersionProvider.none()).build();
        try (MaintenanceEngine engine = engine(part, key, dir)) {
            OperationStatus status = await(engine.startBackup().completion());
            if (!status.succeeded()) {
                throw new AssertionError("the backup failed: " + status.statusMessage());
            }
            BackupStore.StoredBackup stored = engine.latestBackup()
                    .orElseThrow(() -> new AssertionError("the backup succeeded but the store holds none"));
            Path archive = dir.resolveSibling("archive" + stored.fileName().replaceAll("[^A-Za-z0-9._-]", "_"));
            try (InputStream in = stored.open(0)) {
                Files.copy(in, archive, StandardCopyOption.REPLACE_EXISTING);
            }
            return archive;
        }
    }

    private static void restore(DataSource target, ArchiveKey key, Path archive, Path dir) {
        PostgresPart part = PostgresPart.builder().dataSource(target).schemaVersionProvider(
                SchemaVersionProvider.none()).build();
        try (MaintenanceEngine engine = engine(part, key, dir)) {
            OperationStatus status = await(engine.startRestore(RestoreSource.of(archive)).completion());
            if (!status.succeeded()) {
                throw new AssertionError("the restore failed: " + status.statusMessage());
            }
        }
    }

    private static MaintenanceEngine engine(PostgresPart part, ArchiveKey key, Path dir) {
        return MaintenanceEngine.builder().product("keepsake-round-trip", Version.parse("1.0.0")).part(part)
                .workDirectory(dir).signingKey(key).build();
    }

    private static OperationStatus await(CompletableFuture<OperationStatus> completion) {
        try {
            return completion.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the operation", e);
        } catch (ExecutionException e) {
            throw new AssertionError("the operation failed: " + e.getCause(), e.getCause());
        }
    }

    private static ArchiveKey randomKey() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return ArchiveKey.of("round-trip", secret);
    }

    private static void deleteRecursively(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // a leftover temp directory is harmless and must not hide the assertion's outcome
        }
    }
}
