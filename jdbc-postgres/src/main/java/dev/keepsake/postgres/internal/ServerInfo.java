package dev.keepsake.postgres.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Facts about the server a connection talks to.
 *
 * @param versionNum   {@code server_version_num}, e.g. 150004
 * @param version      {@code server_version}, e.g. {@code 15.4 (Debian 15.4-1)}
 * @param encoding     {@code server_encoding} of the database
 * @param database     the database's name
 * @param user         {@code current_user}
 * @param loopback     whether the connection reaches the server over a loopback address or a Unix socket: the server
 *                     then runs on this machine (or behind a tunnel) and shares its cores with this JVM
 */
public record ServerInfo(int versionNum, String version, String encoding, String database, String user, boolean loopback) {

    /** The oldest major this module backs up and restores. */
    public static final int OLDEST_MAJOR = 13;

    public static ServerInfo read(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_catalog.current_setting('server_version_num')::int, "
                     + "pg_catalog.current_setting('server_version'), pg_catalog.current_setting('server_encoding'), "
                     + "pg_catalog.current_database(), current_user, coalesce(pg_catalog.inet_server_addr() <<= "
                     + "'127.0.0.0/8'::inet OR pg_catalog.inet_server_addr() = '::1'::inet, true)")) {
            rs.next();
            return new ServerInfo(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                    rs.getBoolean(6));
        }
    }

    public int major() {
        return major(versionNum);
    }

    public static int major(int versionNum) {
        return versionNum / 10000;
    }

    /** {@code 15.4} from 150004. */
    public static String display(int versionNum) {
        return major(versionNum) + "." + versionNum % 10000;
    }
}
