package dev.keepsake.postgres;

import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.testfixtures.EditablePartArchive;
import dev.keepsake.testfixtures.TestJobContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs a part's backup and restore directly (no engine), through an {@link EditablePartArchive} of real files. */
final class Transfer {

    private Transfer() {
    }

    static EditablePartArchive backup(PostgresPart part, Path dir) throws IOException {
        Files.createDirectories(dir);
        EditablePartArchive archive = new EditablePartArchive(dir);
        part.write(archive.writer(), new TestJobContext("test-backup"));
        return archive;
    }

    /** Prepares and commits. */
    static void restore(PostgresPart part, EditablePartArchive archive) throws IOException {
        try (PreparedRestore prepared = part.prepare(archive.reader(part.name()), new TestJobContext("test-restore"))) {
            prepared.commit();
        }
    }
}
