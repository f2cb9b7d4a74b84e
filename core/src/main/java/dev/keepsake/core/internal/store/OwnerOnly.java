package dev.keepsake.core.internal.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files and directories the engine and the store create hold the application's data (a backup is a full copy of it)
 * and are owner-only whatever the umask: files 0600, directories 0700. The mode is given at creation (a umask can only
 * take bits away), so no other user can open them in between. On a file system without POSIX permissions nothing is
 * set. Stateless; thread-safe. Internal.
 */
public final class OwnerOnly {

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final FileAttribute<?>[] FILE = POSIX
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
            : new FileAttribute<?>[0];
    private static final FileAttribute<?>[] DIRECTORY = POSIX
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
            : new FileAttribute<?>[0];

    private OwnerOnly() {
    }

    /** Opens {@code file} with {@code options}; when the call creates it, it is created 0600. */
    public static FileChannel open(Path file, OpenOption... options) throws IOException {
        return FileChannel.open(file, Set.of(options), FILE);
    }

    /** Creates {@code dir} and its missing parents, each created one 0700; existing ones are left as they are. */
    public static Path createDirectories(Path dir) throws IOException {
        return Files.createDirectories(dir, DIRECTORY);
    }
}
