package dev.keepsake.testkit.internal;

import java.io.IOException;
import java.util.Properties;
import java.util.StringJoiner;

import org.postgresql.Driver;

/** A server named by the user ({@code KEEPSAKE_TEST_JDBC_URL}); the testkit never stops it. */
final class UserServer implements RunningCluster {

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String parameters;
    private final String database;

    private UserServer(String host, int port, String user, String password, String parameters, String database) {
        this.database = database;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.parameters = parameters;
    }

    /** Parses the URL; user and password inside it win over the separate settings. */
    static UserServer parse(String url, String fallbackUser, String fallbackPassword) throws IOException {
        Properties parsed = Driver.parseURL(url, new Properties());
        if (parsed == null) {
            throw new IOException(TestkitProperty.JDBC_URL.environmentVariable() + " is not a PostgreSQL JDBC URL ("
                    + redact(url) + "): use jdbc:postgresql://host:port/database");
        }
        String host = parsed.getProperty("PGHOST", "localhost");
        if (host.contains(",")) {
            throw new IOException(TestkitProperty.JDBC_URL.environmentVariable()
                    + " names several hosts; name one server");
        }
        int port = Integer.parseInt(parsed.getProperty("PGPORT", "5432"));
        String user = parsed.getProperty("user", fallbackUser);
        if (user == null) {
            user = System.getProperty("user.name");
        }
        String password = parsed.getProperty("password", fallbackPassword);
        StringJoiner parameters = new StringJoiner("&", "?", "").setEmptyValue("");
        int query = url.indexOf('?');
        if (query >= 0) {
            for (String pair : url.substring(query + 1).split("&")) {
                String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
                if (!pair.isEmpty() && !name.equals("user") && !name.equals("password")) {
                    parameters.add(pair);
                }
            }
        }
        String database = parsed.getProperty("PGDBNAME", "");
        return new UserServer(host, port, user, password, parameters.toString(), database.isEmpty() ? user : database);
    }

    /** The URL without its password, for messages. */
    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//[^/@]*:[^/@]*@", "//***@");
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String superuser() {
        return user;
    }

    @Override
    public String password() {
        return password;
    }

    @Override
    public String maintenanceDatabase() {
        return database;
    }

    @Override
    public String urlParameters() {
        return parameters;
    }

    @Override
    public String description() {
        return "given by " + TestkitProperty.JDBC_URL.environmentVariable() + ": " + host + ":" + port + " as " + user;
    }

    @Override
    public void close() {
        // not ours: the user's server keeps running
    }
}
