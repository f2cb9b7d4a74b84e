package dev.keepsake.core;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The archive file a restore reads, and who owns it.
 *
 * @param file            the archive
 * @param deleteWhenDone  whether the engine deletes the file when the restore ends (for uploads stored in a temp file)
 */
public record RestoreSource(Path file, boolean deleteWhenDone) {

    public RestoreSource {
        Objects.requireNonNull(file, "file");
    }

    /** A file the caller keeps. */
    public static RestoreSource of(Path file) {
        return new RestoreSource(file, false);
    }

    /** A temp file the engine deletes when the restore ends, whatever the outcome. */
    public static RestoreSource takingOwnership(Path file) {
        return new RestoreSource(file, true);
    }
}
