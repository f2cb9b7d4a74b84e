package dev.keepsake.core.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Metadata of one entry of a part, as a job hands it to {@link PartWriter} and gets it back from {@link PartReader}.
 *
 * <p>{@code name} is relative to the part, uses {@code /} as separator, and must be a clean relative path: no empty
 * segment, no {@code .} or {@code ..} segment, no leading {@code /}, no backslash, no NUL. The archive stores it
 * below {@code parts/<part name>/}. For {@link Type#CHUNK} entries, {@code name} is the logical stream name and
 * {@link #chunkIndex()} the 0-based position of the chunk in that stream.
 *
 * @param name          entry name relative to the part
 * @param type          kind of entry
 * @param size          content length in bytes (0 for directories and symlinks)
 * @param mode          POSIX permission bits (e.g. {@code 0644}); jobs that do not care use {@link #DEFAULT_FILE_MODE}
 * @param lastModified  modification time, never null
 * @param linkTarget    the target of a {@link Type#SYMLINK}, else null
 * @param chunkIndex    the chunk's index for {@link Type#CHUNK}, else -1
 */
public record ArchiveEntry(String name, Type type, long size, int mode, Instant lastModified, String linkTarget,
                           int chunkIndex) {

    /** Mode given to files by jobs that do not keep permissions. */
    public static final int DEFAULT_FILE_MODE = 0644;
    /** Mode given to directories by jobs that do not keep permissions. */
    public static final int DEFAULT_DIRECTORY_MODE = 0755;

    /** Kind of an entry. */
    public enum Type {
        /** A regular file of known size. */
        FILE,
        /** A directory (no content). */
        DIRECTORY,
        /** A symbolic link; {@link ArchiveEntry#linkTarget()} holds its target as recorded. */
        SYMLINK,
        /** One chunk of a stream whose total length was not known in advance (see {@link PartWriter#appendChunk}). */
        CHUNK
    }

    public ArchiveEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(lastModified, "lastModified");
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0 but was " + size + " for entry '" + name + "'");
        }
        if ((type == Type.DIRECTORY || type == Type.SYMLINK) && size != 0) {
            throw new IllegalArgumentException(type + " entry '" + name + "' must have size 0 but has " + size);
        }
        if ((type == Type.SYMLINK) != (linkTarget != null)) {
            throw new IllegalArgumentException("entry '" + name + "': a link target is required for, and only for, SYMLINK");
        }
        if ((type == Type.CHUNK) != (chunkIndex >= 0)) {
            throw new IllegalArgumentException("entry '" + name + "': a chunk index >= 0 is required for, and only for, CHUNK");
        }
    }

    /** A regular file entry. */
    public static ArchiveEntry file(String name, long size, int mode, Instant lastModified) {
        return new ArchiveEntry(name, Type.FILE, size, mode, lastModified, null, -1);
    }

    /** A directory entry. */
    public static ArchiveEntry directory(String name, int mode, Instant lastModified) {
        return new ArchiveEntry(name, Type.DIRECTORY, 0, mode, lastModified, null, -1);
    }

    /** A symbolic link entry. */
    public static ArchiveEntry symlink(String name, String target, Instant lastModified) {
        return new ArchiveEntry(name, Type.SYMLINK, 0, 0777, lastModified, Objects.requireNonNull(target, "target"), -1);
    }

    /** The link target, for symlinks. */
    public Optional<String> symlinkTarget() {
        return Optional.ofNullable(linkTarget);
    }

    /** The chunk index, for chunks. */
    public OptionalInt chunk() {
        return chunkIndex >= 0 ? OptionalInt.of(chunkIndex) : OptionalInt.empty();
    }
}
