package dev.keepsake.testkit;

import dev.keepsake.testkit.internal.TestkitProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sample data for tests. The pagila database (a pg_dump of PostgreSQL's sample DVD-rental schema: domains, enums,
 * functions, triggers, a partitioned table, about 50,000 rows) is looked up in {@code keepsake.fixtures.dir} /
 * {@code KEEPSAKE_FIXTURES_DIR}, else in the first {@code shared/fixtures} or {@code fixtures} directory found
 * walking up from the working directory. Stateless and thread-safe.
 */
public final class Fixtures {

    private Fixtures() {
    }

    /**
     * The directory holding {@code pagila-schema.sql} and {@code pagila-data.sql}.
     *
     * @throws IllegalStateException naming every place looked at when there is none
     */
    public static Path pagilaDirectory() {
        Map<String, String> properties = new HashMap<>();
        System.getProperties().stringPropertyNames().forEach(n -> properties.put(n, System.getProperty(n)));
        Optional<String> configured = TestkitProperty.FIXTURES_DIR.read(properties, System.getenv());
        List<Path> candidates = new ArrayList<>();
        if (configured.isPresent()) {
            candidates.add(Path.of(configured.get()).resolve("pagila"));
        } else {
            for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
                candidates.add(dir.resolve("shared/fixtures/pagila"));
                candidates.add(dir.resolve("fixtures/pagila"));
            }
        }
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate.resolve("pagila-schema.sql"))
                    && Files.isRegularFile(candidate.resolve("pagila-data.sql"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("The pagila fixture (pagila-schema.sql, pagila-data.sql) is not in any of "
                + candidates + ": set -D" + TestkitProperty.FIXTURES_DIR.systemProperty() + " or "
                + TestkitProperty.FIXTURES_DIR.environmentVariable() + " to the directory holding pagila/");
    }

    /** Loads pagila's schema and data into {@code database} (which should be fresh). */
    public static void loadPagila(TestDatabase database) throws SQLException {
        Path directory = pagilaDirectory();
        database.executeFile(directory.resolve("pagila-schema.sql"));
        database.executeFile(directory.resolve("pagila-data.sql"));
    }
}
