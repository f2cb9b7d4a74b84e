package dev.keepsake.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The engine's work directory for one CLI command (status file, temp files): {@code --work-dir} when given, else a
 * fresh temp directory deleted when the command ends. Not thread-safe.
 */
final class WorkDirectory implements AutoCloseable {

    private final Path path;
    private final boolean owned;

    private WorkDirectory(Path path, boolean owned) {
        this.path = path;
        this.owned = owned;
    }

    static WorkDirectory of(Path given) throws IOException {
        if (given != null) {
            return new WorkDirectory(Files.createDirectories(given.toAbsolutePath()), false);
        }
        return new WorkDirectory(Files.createTempDirectory("keepsake-cli-"), true);
    }

    Path path() {
        return path;
    }

    @Override
    public void close() throws IOException {
        if (!owned || !Files.exists(path)) {
            return;
        }
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
