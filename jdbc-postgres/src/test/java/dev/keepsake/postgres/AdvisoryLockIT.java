package dev.keepsake.postgres;

import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.core.OperationInProgressException;
import dev.keepsake.core.OperationStatus;
import dev.keepsake.core.Version;
import dev.keepsake.core.spi.OperationLock;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Replicas sharing one database run at most one operation at a time. */
@ExtendWith(PostgresExtension.class)
class AdvisoryLockIT {

    @Test
    void asLongAsOneReplicaHoldsTheLockNoOtherCanTakeIt(TestDatabase db) throws Exception {
        OperationLock replicaA = PostgresAdvisoryLock.builder().dataSource(db.dataSource()).build();
        OperationLock replicaB = PostgresAdvisoryLock.builder().dataSource(db.dataSource()).build();

        Optional<OperationLock.Lease> a = replicaA.tryAcquire("op-a");
        assertThat(a).isPresent();
        assertThat(replicaB.tryAcquire("op-b")).isEmpty();
        assertThat(replicaA.tryAcquire("op-a2")).as("not re-entrant across operations").isEmpty();
        assertThat(lockSessions(db)).isEqualTo(1);

        a.get().close();
        a.get().close(); // idempotent
        assertThat(lockSessions(db)).isZero();
        Optional<OperationLock.Lease> b = replicaB.tryAcquire("op-b");
        assertThat(b).isPresent();
        b.get().close();
    }

    @Test
    void locksWithDifferentKeysAreIndependent(TestDatabase db) throws Exception {
        OperationLock one = PostgresAdvisoryLock.builder().dataSource(db.dataSource()).key(1).build();
        OperationLock two = PostgresAdvisoryLock.builder().dataSource(db.dataSource()).key(2).build();
        try (OperationLock.Lease a = one.tryAcquire("a").orElseThrow();
             OperationLock.Lease b = two.tryAcquire("b").orElseThrow()) {
            assertThat(a).isNotNull();
            assertThat(b).isNotNull();
        }
    }

    @Test
    void whenTheLeasesConnectionDiesTheLockIsFree(TestDatabase db) throws Exception {
        OperationLock lock = PostgresAdvisoryLock.builder().dataSource(db.dataSource()).build();
        OperationLock.Lease lease = lock.tryAcquire("doomed").orElseThrow();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'keepsake lock doomed'");
        }
        Optional<OperationLock.Lease> next = lock.tryAcquire("next");
        assertThat(next).isPresent();
        next.get().close();
        lease.close(); // releasing a lock whose session died is harmless
    }

    @Test
    void twoEnginesOnOneDatabaseRunAtMostOneOperation(TestDatabase db, @TempDir Path dir) throws Exception {
        db.execute("CREATE TABLE t (x integer); INSERT INTO t SELECT generate_series(1, 1000)");
        PostgresAdvisoryLock lock = PostgresAdvisoryLock.builder().dataSource(db.dataSource()).build();
        try (MaintenanceEngine replica1 = engine(db, lock, dir.resolve("r1"));
             MaintenanceEngine replica2 = engine(db, lock, dir.resolve("r2"))) {
            // a third replica is busy: both must refuse to start
            try (OperationLock.Lease busy = PostgresAdvisoryLock.builder().dataSource(db.dataSource()).build()
                    .tryAcquire("replica-3-backup").orElseThrow()) {
                assertThatThrownBy(replica1::startBackup).isInstanceOf(OperationInProgressException.class);
                assertThatThrownBy(replica2::startBackup).isInstanceOf(OperationInProgressException.class);
            }
            OperationStatus done = replica1.startBackup().completion().get(2, TimeUnit.MINUTES);
            assertThat(done.succeeded()).as(done.statusMessage()).isTrue();
            assertThat(lockSessions(db)).as("the lease ended with the operation").isZero();
            assertThat(replica2.startBackup().completion().get(2, TimeUnit.MINUTES).succeeded()).isTrue();
        }
    }

    private static MaintenanceEngine engine(TestDatabase db, PostgresAdvisoryLock lock, Path dir) {
        return MaintenanceEngine.builder().product("keepsake-test", Version.parse("1.0.0"))
                .part(PostgresPart.builder().dataSource(db.dataSource()).build())
                .workDirectory(dir).signingKey(EngineTransfer.KEY).lock(lock).build();
    }

    private static int lockSessions(TestDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                     + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
