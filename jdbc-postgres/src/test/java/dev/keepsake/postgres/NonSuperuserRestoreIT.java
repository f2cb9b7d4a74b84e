package dev.keepsake.postgres;

import dev.keepsake.postgres.testing.RoundTripAssertion;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.PostgresServer;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application's own role — not a superuser, owner of its database — restores (and backs up) its database. On 15+
 * the public schema belongs to pg_database_owner (the role's database); on 13 it belongs to the bootstrap superuser,
 * so the restore must empty it object by object instead of replacing it.
 */
@ExtendWith(PostgresExtension.class)
class NonSuperuserRestoreIT {

    @Test
    void theApplicationRoleRestoresAndReplacesItsDatabaseOnTheDefaultMajor(PostgresServer server, @TempDir Path dir)
            throws Exception {
        scenario(server, dir);
    }

    @Test
    void theApplicationRoleRestoresAndReplacesItsDatabaseOnPostgres13(@TempDir Path dir) throws Exception {
        scenario(PostgresServer.shared(13), dir);
    }

    private static void scenario(PostgresServer server, Path dir) throws Exception {
        String role = "app_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String password = "pw-" + UUID.randomUUID();
        try (Connection admin = server.connect("postgres"); Statement st = admin.createStatement()) {
            st.execute("CREATE ROLE " + role + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '" + password + "'");
        }
        try (TestDatabase source = server.createDatabase("app_src");
             TestDatabase target = server.createDatabase("app_dst")) {
            PagilaRoundTripIT.loadPagila(source);
            target.execute("ALTER DATABASE " + target.name() + " OWNER TO " + role);
            DataSource asApp = dataSource(server, target.name(), role, password);
            assertThat(isSuperuser(asApp)).isFalse();
            PostgresPart appPart = PostgresPart.builder().dataSource(asApp).build();

            // 1. a superuser's backup restored by the application role
            Transfer.restore(appPart, Transfer.backup(PostgresPart.builder().dataSource(source.dataSource()).build(),
                    dir.resolve("1")));
            RoundTripAssertion.assertSameContent(source.dataSource(), target.dataSource());

            // 2. the application role backs up its own database and restores it over itself (replacing its objects)
            try (Connection c = asApp.getConnection(); Statement st = c.createStatement()) {
                st.execute("UPDATE public.actor SET first_name = 'CHANGED'; CREATE TABLE public.extra (x int)");
            }
            var own = Transfer.backup(appPart, dir.resolve("2"));
            try (Connection c = asApp.getConnection(); Statement st = c.createStatement()) {
                st.execute("DROP TABLE public.extra; DELETE FROM public.payment WHERE payment_id % 2 = 0");
            }
            Transfer.restore(appPart, own);
            try (Connection c = asApp.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE first_name = 'CHANGED'), count(*),"
                         + " to_regclass('public.extra') IS NOT NULL FROM public.actor")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(rs.getInt(2)).isEqualTo(200);
                assertThat(rs.getBoolean(3)).isTrue();
            }
            try (Connection c = asApp.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM public.payment")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(countPayments(source));
            }

            // 3. the same with every table that allows it staged (the role owns the database: it may create
            // schemas), then without CREATE on the database (everything loads in the one transaction)
            PostgresPart staging = PostgresPart.builder().dataSource(asApp).restoreStagingMinBytes(0).build();
            var original = Transfer.backup(PostgresPart.builder().dataSource(source.dataSource()).build(),
                    dir.resolve("3"));
            Transfer.restore(staging, original);
            RoundTripAssertion.assertSameContent(source.dataSource(), target.dataSource());
            try (Connection c = asApp.getConnection(); Statement st = c.createStatement()) {
                st.execute("REVOKE CREATE ON DATABASE " + target.name() + " FROM " + role + ", PUBLIC;"
                        + " DELETE FROM public.payment WHERE payment_id % 3 = 0");
            }
            Transfer.restore(staging, original);
            RoundTripAssertion.assertSameContent(source.dataSource(), target.dataSource());
            try (Connection c = asApp.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'keepsake%'")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        } finally {
            try (Connection admin = server.connect("postgres"); Statement st = admin.createStatement()) {
                st.execute("DROP ROLE IF EXISTS " + role);
            }
        }
    }

    private static int countPayments(TestDatabase db) throws Exception {
        return Integer.parseInt(NastyDataRoundTripIT.single(db, "SELECT count(*) FROM public.payment"));
    }

    private static boolean isSuperuser(DataSource ds) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    static DataSource dataSource(PostgresServer server, String database, String user, String password) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(server.jdbcUrl(database));
        ds.setUser(user);
        ds.setPassword(password);
        return ds;
    }
}
