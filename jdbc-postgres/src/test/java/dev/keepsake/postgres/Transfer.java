package dev.keepsake.postgres;

import dev.keepsake.core.spi.PreparedRestore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs a part's backup and restore directly (no engine), through a {@link SpoolArchive} of real files. */
final class Transfer {

    private Transfer() {
    }

    static SpoolArchive backup(PostgresPart part, Path dir) throws IOException {
        Files.createDirectories(dir);
        SpoolArchive archive = new SpoolArchive(dir);
        part.write(archive.writer(), new SpoolArchive.Context("test-backup"));
        return archive;
    }

    /** Prepares and commits. */
    static void restore(PostgresPart part, SpoolArchive archive) throws IOException {
        try (PreparedRestore prepared = part.prepare(archive.reader(part.name()), new SpoolArchive.Context("test-restore"))) {
            prepared.commit();
        }
    }
}
