package dev.keepsake.testkit.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What to start: a cluster of one major on a data directory and a loopback port, with server settings. Immutable.
 *
 * @param major          PostgreSQL major version (13..18)
 * @param dataDirectory  the cluster's data directory (initialised when empty, reused when initialised)
 * @param workDirectory  a directory for logs and the like, next to the data directory
 * @param port           TCP port on 127.0.0.1 (must be free)
 * @param serverSettings settings passed to the server (name to value)
 * @param durable        whether the data must survive a crash (false for throwaway test clusters)
 * @param password       the superuser's password, enforced with SCRAM on loopback TCP; null trusts loopback
 *                       connections (throwaway test clusters)
 */
public record ClusterSpec(int major, Path dataDirectory, Path workDirectory, int port,
                          Map<String, String> serverSettings, boolean durable, String password) {

    public static final String HOST = "127.0.0.1";
    public static final String SUPERUSER = "postgres";

    public ClusterSpec {
        List<String> problems = new ArrayList<>();
        if (major < TestkitSettings.MIN_MAJOR || major > TestkitSettings.MAX_MAJOR) {
            problems.add("major " + major + " is not supported: choose " + TestkitSettings.MIN_MAJOR + ".."
                    + TestkitSettings.MAX_MAJOR);
        }
        if (port < 1 || port > 65535) {
            problems.add("port " + port + " is not a TCP port");
        }
        if (dataDirectory == null || workDirectory == null) {
            problems.add("data and work directories are required");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid cluster: " + String.join("; ", problems));
        }
        serverSettings = Map.copyOf(serverSettings);
    }

    @Override
    public String toString() {
        return "ClusterSpec[major=" + major + ", data=" + dataDirectory + ", port=" + port + ", durable=" + durable
                + ", password=" + (password == null ? "none" : "***") + "]";
    }

    /** Settings for a throwaway test cluster: fast, not crash-safe. */
    public static Map<String, String> testSettings(int port) {
        Map<String, String> settings = baseSettings(port);
        settings.put("fsync", "off");
        settings.put("synchronous_commit", "off");
        settings.put("full_page_writes", "off");
        settings.put("max_connections", "200");
        return settings;
    }

    /** Settings for a persistent cluster (the demo): crash-safe. */
    public static Map<String, String> durableSettings(int port) {
        Map<String, String> settings = baseSettings(port);
        settings.put("fsync", "on");
        settings.put("synchronous_commit", "on");
        settings.put("full_page_writes", "on");
        settings.put("max_connections", "100");
        return settings;
    }

    private static Map<String, String> baseSettings(int port) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("listen_addresses", HOST);
        settings.put("port", Integer.toString(port));
        settings.put("unix_socket_directories", "");
        settings.put("timezone", "UTC");
        return settings;
    }
}
