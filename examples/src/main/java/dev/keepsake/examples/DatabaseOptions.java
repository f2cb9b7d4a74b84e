package dev.keepsake.examples;

import dev.keepsake.postgres.CopySocketFactory;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Option;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.Map;

/**
 * {@code --jdbc-url} and the credentials that go with it. The user and password may sit in the URL
 * ({@code jdbc:postgresql://host/db?user=u&password=p}), come from {@code --db-user}/{@code --db-password}, or from the
 * environment variables {@value #ENV_USER}/{@value #ENV_PASSWORD} (preferred for the password: the command line is
 * visible to every user of the machine). Options win over the environment, which wins over the URL.
 */
final class DatabaseOptions {

    static final String ENV_USER = "KEEPSAKE_DB_USER";
    static final String ENV_PASSWORD = "KEEPSAKE_DB_PASSWORD";

    @Option(names = "--jdbc-url", paramLabel = "URL",
            description = "PostgreSQL JDBC URL of the database, e.g. jdbc:postgresql://localhost:5432/app")
    String jdbcUrl;

    @Option(names = "--db-user", paramLabel = "USER",
            description = "Database user (default: $" + ENV_USER + ", else the user in the URL)")
    String user;

    @Option(names = "--db-password", paramLabel = "PASSWORD",
            description = "Database password (default: $" + ENV_PASSWORD + ", else the password in the URL)")
    String password;

    boolean given() {
        return jdbcUrl != null;
    }

    /** A non-pooling DataSource for the URL and credentials. */
    DataSource dataSource(Map<String, String> env) {
        if (jdbcUrl == null) {
            throw new CommandFailedException(ExitStatus.USAGE, "missing --jdbc-url");
        }
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new CommandFailedException(ExitStatus.USAGE, "--jdbc-url '" + redacted(jdbcUrl)
                    + "' is not a PostgreSQL JDBC URL: use jdbc:postgresql://HOST[:PORT]/DATABASE");
        }
        PGSimpleDataSource ds = new PGSimpleDataSource();
        try {
            ds.setURL(jdbcUrl);
        } catch (IllegalArgumentException e) {
            throw new CommandFailedException(ExitStatus.USAGE, "--jdbc-url '" + redacted(jdbcUrl)
                    + "' cannot be parsed: use jdbc:postgresql://HOST[:PORT]/DATABASE");
        }
        if (ds.getSocketFactory() == null) {
            ds.setSocketFactory(CopySocketFactory.class.getName()); // cheaper reading of the backup's COPYs
        }
        String u = user != null ? user : env.get(ENV_USER);
        String p = password != null ? password : env.get(ENV_PASSWORD);
        if (u != null && !u.isEmpty()) {
            ds.setUser(u);
        }
        if (p != null && !p.isEmpty()) {
            ds.setPassword(p);
        }
        ds.setApplicationName("keepsake");
        ds.setConnectTimeout(10);
        ds.setTcpKeepAlive(true);
        return ds;
    }

    /** Checks that the database answers, so an unreachable one fails before anything starts. */
    static void ping(DataSource ds, String url) {
        try (var c = ds.getConnection()) {
            c.isValid(10);
        } catch (SQLException e) {
            throw new CommandFailedException(ExitStatus.FAILURE, "cannot connect to " + redacted(url) + ": "
                    + firstLine(e.getMessage()));
        }
    }

    /** The URL without the values of password-like parameters, for messages. */
    static String redacted(String url) {
        return url == null ? null : url.replaceAll("(?i)(password|sslpassword)=[^&;]*", "$1=***")
                .replaceAll("//([^/@]*):[^/@]*@", "//$1:***@");
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }
}
