package dev.keepsake.testkit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Run in a child JVM by {@link ServerLifecycleIT}: starts the shared server, writes its postmaster pid, port and data
 * directory to the file named by the first argument, and exits (normally, or with {@code System.exit(3)} when the
 * second argument is {@code exit}, or never when it is {@code hang}: the test then kills it).
 */
public final class ChildJvmServer {

    private ChildJvmServer() {
    }

    public static void main(String[] args) throws Exception {
        PostgresServer server = PostgresServer.shared();
        String dataDirectory = dataDirectory(server);
        String pid = Files.readAllLines(Path.of(dataDirectory, "postmaster.pid"), StandardCharsets.UTF_8).get(0).trim();
        Path report = Path.of(args[0]);
        Path partial = Path.of(args[0] + ".partial");
        Files.write(partial, List.of(pid, Integer.toString(server.port()), dataDirectory, server.description()),
                StandardCharsets.UTF_8);
        Files.move(partial, report, StandardCopyOption.ATOMIC_MOVE);
        if (args.length > 1 && args[1].equals("exit")) {
            System.exit(3);
        }
        if (args.length > 1 && args[1].equals("hang")) {
            new CountDownLatch(1).await(); // until killed
        }
    }

    private static String dataDirectory(PostgresServer server) throws SQLException {
        try (Connection connection = server.connect("postgres");
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SHOW data_directory")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
