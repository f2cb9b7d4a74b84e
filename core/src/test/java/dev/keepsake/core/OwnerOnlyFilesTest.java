package dev.keepsake.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A backup is a full copy of the application's data: every file and directory the engine and the file-system store
 * create is owner-only (0600 / 0700), whatever the umask (the JVM here runs with the usual 022, under which a file
 * created without a mode is 0644).
 */
class OwnerOnlyFilesTest {

    @Test
    void theWorkDirectoryTheStoreTheBackupsAndTheStatusFileAreOwnerOnly(@TempDir Path tmp) throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Fixture fixture = new Fixture(tmp.resolve("fixture"));
        Path work = tmp.resolve("created/by/the/engine");
        try (MaintenanceEngine engine = fixture.builder().workDirectory(work).build()) {
            fixture.backup(engine, "copy.tgz");
            fixture.backup(engine, "copy2.tgz"); // the status file is rewritten
        }

        List<String> wrong = new ArrayList<>();
        for (Path created : List.of(tmp.resolve("created"), tmp.resolve("created/by"), tmp.resolve("created/by/the"))) {
            check(created, "rwx------", wrong);
        }
        try (Stream<Path> all = Files.walk(work)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                check(p, Files.isDirectory(p) ? "rwx------" : "rw-------", wrong);
            }
        }
        assertThat(wrong).isEmpty();
        try (Stream<Path> all = Files.walk(work)) {
            assertThat(all.map(p -> p.getFileName().toString()))
                    .contains("status.json", "backups", "uploads")
                    .anyMatch(name -> name.endsWith(".tgz"));
        }
    }

    private static void check(Path p, String mode, List<String> wrong) throws IOException {
        String actual = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        if (!actual.equals(mode)) {
            wrong.add(p.getFileName() + " is " + actual + ", not " + mode);
        }
    }
}
