package dev.keepsake.postgres.internal.copy;

import dev.keepsake.core.spi.PartWriter;
import dev.keepsake.postgres.internal.ConnectionSource;
import dev.keepsake.postgres.internal.schema.TableRef;
import dev.keepsake.testkit.PostgresExtension;
import dev.keepsake.testkit.PostgresLauncher;
import dev.keepsake.testkit.RunningPostgres;
import dev.keepsake.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A table copied through {@link dev.keepsake.postgres.CopySocketFactory}'s sockets, against a real server: the same
 * bytes; and, through {@link CountingSocketFactory}'s sockets, fewer reads of the socket inside the copier's scope.
 */
@ExtendWith(PostgresExtension.class)
class BatchedCopyIT {

    private static final TableRef TABLE = new TableRef("public", "rows", 0,
            List.of("id", "name", "doc", "payload", "amount"));
    private static final String TABLE_SQL = "CREATE TABLE public.rows (id bigint PRIMARY KEY, name text, doc jsonb,"
            + " payload bytea, amount numeric); INSERT INTO public.rows SELECT g, md5(g::text), jsonb_build_object('g',"
            + " g, 'tags', ARRAY['a', 'b']), decode(md5(g::text), 'hex'), g / 7.0 FROM generate_series(1, 200000) g";

    /** Collects the chunks of one stream. */
    private static final class Collecting implements PartWriter {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public OutputStream addEntry(dev.keepsake.core.spi.ArchiveEntry entry) {
            throw new UnsupportedOperationException();
        }

        @Override
        public synchronized void appendChunk(String streamName, ByteBuffer data) {
            bytes.write(data.array(), data.arrayOffset() + data.position(), data.remaining());
        }

        @Override
        public OutputStream openStream(String streamName, int chunkSize) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void putAttribute(String key, String value) {
        }
    }

    private static byte[] copy(Connection c, boolean binary) throws Exception {
        ExecutorService appender = Executors.newSingleThreadExecutor();
        try {
            Collecting out = new Collecting();
            new TableCopier(1 << 20, appender).copy(c, TABLE, null, binary, "rows", out, () -> false);
            return out.bytes.toByteArray();
        } finally {
            appender.shutdownNow();
        }
    }

    @Test
    void aTableCopiedThroughBatchingSocketsIsByteForByteTheSameAndOrdinaryQueriesAreNotBatched(TestDatabase db)
            throws Exception {
        db.execute(TABLE_SQL);
        ConnectionSource batching = ConnectionSource.of(db.jdbcUrl(), db.connectionProperties());
        for (boolean binary : new boolean[]{true, false}) {
            byte[] plain;
            try (Connection c = db.connect()) {
                plain = copy(c, binary);
            }
            try (Connection c = batching.open()) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT count(*), sum(length(name)) FROM public.rows")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(200_000);
                }

                byte[] batched = copy(c, binary);
                assertThat(batched).hasSize(plain.length).isEqualTo(plain);

                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 42")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("the connection works on after the copy").isEqualTo(42);
                }
            }
        }
    }

    @Test
    void theCopiersReadsOfTheSocketAreBatchedAndFewerThanTheSameCopysWithoutItsScope(TestDatabase db)
            throws Exception {
        db.execute(TABLE_SQL);
        for (boolean binary : new boolean[]{true, false}) {
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), counting(db.connectionProperties()))) {
                CountingInput socket = CountingSocketFactory.latest();
                long fills = socket.batchedFills();
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT count(*), sum(length(name)) FROM public.rows")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isEqualTo(200_000);
                }
                assertThat(socket.batchedFills()).as("a query outside a copy is not batched").isEqualTo(fills);

                // the same COPY read by pgjdbc outside the copier's scope: every read goes to the socket
                long reads = socket.reads();
                long bytes = socket.bytes();
                c.unwrap(PGConnection.class).getCopyAPI().copyOut(TableCopier.copyOutSql(TABLE, binary),
                        OutputStream.nullOutputStream());
                long unscopedReads = socket.reads() - reads;
                long copyBytes = socket.bytes() - bytes;
                assertThat(socket.batchedFills()).as("a COPY outside the copier's scope is not batched")
                        .isEqualTo(fills);

                reads = socket.reads();
                bytes = socket.bytes();
                copy(c, binary);
                long scopedReads = socket.reads() - reads;
                assertThat(socket.bytes() - bytes).as("the same COPY").isEqualTo(copyBytes);
                assertThat(socket.batchedFills()).as("the copier's reads were batched").isGreaterThan(fills);
                assertThat(scopedReads).as("reads of the socket with the copier's scope, against %s without",
                        unscopedReads).isLessThan(unscopedReads / 2);
            }
        }
    }

    /** {@code properties} with {@link CountingSocketFactory} as the socket factory. */
    private static Properties counting(Properties properties) {
        Properties p = new Properties();
        p.putAll(properties);
        p.setProperty(PGProperty.SOCKET_FACTORY.getName(), CountingSocketFactory.class.getName());
        return p;
    }

    @Test
    void tlsLayersOverABatchingSocketAndTheCopyIsTheSame(@TempDir Path dir) throws Exception {
        try (RunningPostgres server = PostgresLauncher.builder().dataDirectory(dir.resolve("cluster")).build()
                .start()) {
            Properties admin = server.connectionProperties();
            try (Connection c = DriverManager.getConnection(server.jdbcUrl("postgres"), admin);
                 Statement st = c.createStatement()) {
                SelfSigned pem = SelfSigned.create(dir.resolve("keys"));
                // written by the server itself (lo_export), so that the files are its own; the key must not be
                // readable by others (the server refuses it), and this test's user owns it or is root
                writeServerFile(c, "keepsake-test.crt", pem.certificate());
                writeServerFile(c, "keepsake-test.key", pem.privateKey());
                Files.setPosixFilePermissions(server.directory().resolve("pgdata").resolve("keepsake-test.key"),
                        PosixFilePermissions.fromString("rw-------"));
                st.execute("ALTER SYSTEM SET ssl_cert_file = 'keepsake-test.crt'");
                st.execute("ALTER SYSTEM SET ssl_key_file = 'keepsake-test.key'");
                st.execute("ALTER SYSTEM SET ssl = on");
                st.execute("SELECT pg_reload_conf()");
                st.execute(TABLE_SQL);
            }
            Properties tls = server.connectionProperties();
            tls.setProperty("sslmode", "require"); // encrypted, the self-signed certificate not verified
            tls.setProperty("sslfactory", "org.postgresql.ssl.NonValidatingFactory");
            ConnectionSource batching = ConnectionSource.of(server.jdbcUrl("postgres"), tls);
            byte[] plain;
            try (Connection c = DriverManager.getConnection(server.jdbcUrl("postgres"), admin)) {
                plain = copy(c, true);
            }
            try (Connection c = awaitTls(batching)) {
                assertThat(copy(c, true)).hasSize(plain.length).isEqualTo(plain);
            }
            try (Connection c = awaitTls(ConnectionSource.of(server.jdbcUrl("postgres"), counting(tls)))) {
                CountingInput socket = CountingSocketFactory.latest();
                long fills = socket.batchedFills();
                assertThat(copy(c, true)).hasSize(plain.length).isEqualTo(plain);
                assertThat(socket.batchedFills()).as("the copy's reads under TLS were batched").isGreaterThan(fills);
            }
        }
    }

    /** A connection that uses TLS, once the server has reloaded its configuration (up to 30 s). */
    private static Connection awaitTls(ConnectionSource source) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                Connection c = source.open();
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT ssl FROM pg_catalog.pg_stat_ssl WHERE pid = pg_catalog.pg_backend_pid()")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getBoolean(1)).as("the session is encrypted").isTrue();
                    return c;
                } catch (SQLException | RuntimeException | Error e) {
                    c.close();
                    throw e;
                }
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50); // the server does not offer TLS until it has reloaded
            }
        }
    }

    private static void writeServerFile(Connection c, String name, String content) throws SQLException {
        long oid;
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.lo_from_bytea(0, ?)")) {
            ps.setBytes(1, content.getBytes(StandardCharsets.US_ASCII));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                oid = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_catalog.lo_export(?, current_setting('data_directory') || '/' || ?),"
                        + " pg_catalog.lo_unlink(?)")) {
            ps.setLong(1, oid);
            ps.setString(2, name);
            ps.setLong(3, oid);
            ps.execute();
        }
    }

    /** A self-signed RSA certificate and its key, in PEM, made with the JDK's keytool. */
    private record SelfSigned(String certificate, String privateKey) {
        static SelfSigned create(Path dir) throws Exception {
            Files.createDirectories(dir);
            Path store = dir.resolve("server.p12");
            char[] password = "changeit".toCharArray();
            Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                    "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit",
                    "-keypass", "changeit").redirectErrorStream(true).start();
            String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(keytool.waitFor()).as(output).isZero();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                ks.load(in, password);
            }
            Base64.Encoder mime = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
            String cert = "-----BEGIN CERTIFICATE-----\n"
                    + mime.encodeToString(ks.getCertificate("server").getEncoded()) + "\n-----END CERTIFICATE-----\n";
            String key = "-----BEGIN PRIVATE KEY-----\n"
                    + mime.encodeToString(ks.getKey("server", password).getEncoded()) + "\n-----END PRIVATE KEY-----\n";
            return new SelfSigned(cert, key);
        }
    }
}
