package dev.keepsake.testkit.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Resolved testkit configuration: an immutable value, validated once; thread-safe.
 *
 * @param jdbcUrl              a server given by the user, if any
 * @param jdbcUser             user for {@code jdbcUrl} when the URL carries none
 * @param jdbcPassword         password for {@code jdbcUrl} when the URL carries none
 * @param configuredMajor      the major asked for by configuration, if any
 * @param strategies           strategies to try, in order (never empty)
 * @param binariesDirectory    directory with zonky binaries jars, if configured
 * @param mavenRepository      the local Maven repository searched for zonky binaries jars
 * @param useClassPathBinaries whether binaries jars on the class path may be used
 * @param localRoot            directory holding {@code <major>/bin} of local PostgreSQL installations
 * @param localUser            unprivileged user running local binaries when the JVM runs as root
 * @param temporaryRoot        where throwaway clusters get their directory
 * @param binariesCache        where zonky extracts binaries (a cache shared by runs, one subdirectory per archive)
 */
public record TestkitSettings(
        Optional<String> jdbcUrl,
        Optional<String> jdbcUser,
        Optional<String> jdbcPassword,
        Optional<Integer> configuredMajor,
        List<Strategy> strategies,
        Optional<Path> binariesDirectory,
        Path mavenRepository,
        boolean useClassPathBinaries,
        Path localRoot,
        String localUser,
        Path temporaryRoot,
        Path binariesCache) {

    public static final int MIN_MAJOR = 13;
    public static final int MAX_MAJOR = 18;

    public TestkitSettings {
        List<String> problems = new ArrayList<>();
        if (strategies == null || strategies.isEmpty()) {
            problems.add("at least one strategy is needed");
        }
        configuredMajor.ifPresent(m -> {
            if (m < MIN_MAJOR || m > MAX_MAJOR) {
                problems.add("PostgreSQL major " + m + " is not supported: choose " + MIN_MAJOR + ".." + MAX_MAJOR);
            }
        });
        if (temporaryRoot == null || binariesCache == null) {
            problems.add("the temporary root and the binaries cache are required");
        }
        if (localUser == null || localUser.isBlank()) {
            problems.add("the local user must not be blank");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid testkit settings: " + String.join("; ", problems));
        }
        strategies = List.copyOf(strategies);
    }

    /** Settings from this JVM's system properties and environment. */
    public static TestkitSettings fromEnvironment() {
        Map<String, String> properties = new HashMap<>();
        Properties system = System.getProperties();
        for (String name : system.stringPropertyNames()) {
            properties.put(name, system.getProperty(name));
        }
        return from(properties, System.getenv());
    }

    /** Settings from the given system properties and environment (both maps are only read). */
    public static TestkitSettings from(Map<String, String> properties, Map<String, String> environment) {
        List<String> problems = new ArrayList<>();

        Optional<Integer> major = Optional.empty();
        Optional<String> majorText = TestkitProperty.POSTGRES_MAJOR.read(properties, environment);
        if (majorText.isPresent()) {
            try {
                major = Optional.of(Integer.parseInt(majorText.get()));
            } catch (NumberFormatException e) {
                problems.add(TestkitProperty.POSTGRES_MAJOR.systemProperty() + "/"
                        + TestkitProperty.POSTGRES_MAJOR.environmentVariable() + " must be a major version such as 15, not '"
                        + majorText.get() + "'");
            }
        }

        List<Strategy> strategies = new ArrayList<>();
        for (String id : TestkitProperty.STRATEGY.read(properties, environment).orElseThrow().split(",")) {
            if (id.isBlank()) {
                continue;
            }
            Optional<Strategy> strategy = Strategy.byId(id);
            if (strategy.isPresent()) {
                strategies.add(strategy.get());
            } else {
                problems.add(TestkitProperty.STRATEGY.systemProperty() + " names unknown strategy '" + id.trim()
                        + "': use jdbc-url, docker, embedded or local-binaries");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid testkit settings: " + String.join("; ", problems));
        }

        String tmp = properties.getOrDefault("java.io.tmpdir", System.getProperty("java.io.tmpdir"));
        String repo = properties.get("maven.repo.local");
        Path mavenRepository = repo != null && !repo.isBlank()
                ? Path.of(repo)
                : Path.of(properties.getOrDefault("user.home", System.getProperty("user.home")), ".m2", "repository");

        return new TestkitSettings(
                TestkitProperty.JDBC_URL.read(properties, environment),
                TestkitProperty.JDBC_USER.read(properties, environment),
                TestkitProperty.JDBC_PASSWORD.read(properties, environment),
                major,
                strategies,
                TestkitProperty.BINARIES_DIR.read(properties, environment).map(Path::of),
                mavenRepository,
                true,
                Path.of(TestkitProperty.LOCAL_ROOT.read(properties, environment).orElseThrow()),
                TestkitProperty.LOCAL_USER.read(properties, environment).orElseThrow(),
                Path.of(TestkitProperty.TEMP_DIR.read(properties, environment).orElse(tmp)),
                // zonky's own default, so that every user of zonky on the machine shares one extraction
                Path.of(properties.getOrDefault("ot.epg.working-dir", Path.of(tmp, "embedded-pg").toString())));
    }

    /** A copy that tries only the given strategies. */
    public TestkitSettings withStrategies(List<Strategy> only) {
        return new TestkitSettings(jdbcUrl, jdbcUser, jdbcPassword, configuredMajor, only, binariesDirectory,
                mavenRepository, useClassPathBinaries, localRoot, localUser, temporaryRoot, binariesCache);
    }
}
