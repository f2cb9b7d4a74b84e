package dev.keepsake.volume.internal.restore;

import dev.keepsake.core.spi.ArchiveEntry;
import dev.keepsake.volume.UnsafeArchiveEntryException;
import dev.keepsake.volume.internal.EntryNames;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks every entry of a volume part before anything is written for it: name syntax and limits, type, duplicates
 * (also after Unicode NFC normalisation: {@code é} precomposed and decomposed would land in one file on some
 * filesystems and one would silently overwrite the other), and the types of its ancestors (no entry below a file or a
 * link). Keeps one map entry per name seen, so memory grows with the number of entries. Not thread-safe.
 */
final class EntryValidator {

    private enum Kind { FILE, DIRECTORY, IMPLICIT_DIRECTORY, SYMLINK }

    private record Seen(String original, Kind kind) {
    }

    private final String volume;
    private final int maxDepth;
    private final Map<String, Seen> seen = new HashMap<>();

    EntryValidator(String volume, int maxDepth) {
        this.volume = volume;
        this.maxDepth = maxDepth;
    }

    /**
     * Accepts the entry or throws naming it.
     *
     * @return the names of the ancestors not seen before, outermost first: the caller creates them as directories
     */
    List<String> accept(ArchiveEntry entry) {
        String name = entry.name();
        Kind kind = switch (entry.type()) {
            case FILE -> Kind.FILE;
            case DIRECTORY -> Kind.DIRECTORY;
            case SYMLINK -> Kind.SYMLINK;
            default -> throw refuse(name, "its type " + entry.type() + " is not allowed in a volume (only files, "
                    + "directories and symbolic links)");
        };
        String problem = EntryNames.problem(name, maxDepth);
        if (problem != null) {
            throw refuse(name, problem);
        }
        String first = name.indexOf('/') < 0 ? name : name.substring(0, name.indexOf('/'));
        if (EntryNames.isInternalName(first)) {
            throw refuse(name, "the name is reserved for Keepsake's staging during a restore");
        }
        if (kind == Kind.SYMLINK) {
            String targetProblem = EntryNames.targetProblem(entry.linkTarget());
            if (targetProblem != null) {
                throw refuse(name, targetProblem + " (target '" + EntryNames.display(entry.linkTarget()) + "')");
            }
        }
        // NFC of a '/'-joined path is the '/'-join of the NFC segments: '/' never combines
        String normalized = Normalizer.normalize(name, Normalizer.Form.NFC);
        List<String> created = new ArrayList<>();
        int slash = normalized.indexOf('/');
        while (slash >= 0) {
            String ancestor = normalized.substring(0, slash);
            Seen s = seen.get(ancestor);
            if (s == null) {
                String original = name.substring(0, originalPrefixLength(name, slash, normalized));
                seen.put(ancestor, new Seen(original, Kind.IMPLICIT_DIRECTORY));
                created.add(original);
            } else if (s.kind == Kind.FILE || s.kind == Kind.SYMLINK) {
                throw refuse(name, "its parent '" + EntryNames.display(s.original) + "' is a "
                        + (s.kind == Kind.FILE ? "file" : "symbolic link")
                        + (s.kind == Kind.SYMLINK ? " (writing through it could leave the volume)" : ""));
            } else if (!name.startsWith(s.original + "/")) {
                throw refuse(name, "its parent collides after Unicode NFC normalisation with '"
                        + EntryNames.display(s.original) + "'");
            }
            slash = normalized.indexOf('/', slash + 1);
        }
        Seen previous = seen.get(normalized);
        if (previous == null) {
            seen.put(normalized, new Seen(name, kind));
        } else if (!previous.original.equals(name)) {
            throw refuse(name, "the name collides after Unicode NFC normalisation with '"
                    + EntryNames.display(previous.original) + "'");
        } else if (previous.kind == Kind.IMPLICIT_DIRECTORY && kind == Kind.DIRECTORY) {
            seen.put(normalized, new Seen(name, Kind.DIRECTORY));
        } else if (previous.kind == Kind.IMPLICIT_DIRECTORY) {
            throw refuse(name, "it is listed as a " + (kind == Kind.FILE ? "file" : "symbolic link")
                    + " but earlier entries are inside it");
        } else {
            throw refuse(name, "it is a duplicate entry");
        }
        return created;
    }

    /**
     * The length in the original name of the prefix whose normalised form ends at {@code normalizedEnd}: segments
     * are normalised independently, so count segments.
     */
    private static int originalPrefixLength(String original, int normalizedEnd, String normalized) {
        int segments = 0;
        for (int i = 0; i < normalizedEnd; i++) {
            if (normalized.charAt(i) == '/') {
                segments++;
            }
        }
        int idx = -1;
        for (int k = 0; k <= segments; k++) {
            idx = original.indexOf('/', idx + 1);
        }
        return idx;
    }

    UnsafeArchiveEntryException refuse(String name, String why) {
        return new UnsafeArchiveEntryException(name, "Volume '" + volume + "': archive entry '"
                + EntryNames.display(name) + "' is refused: " + why + ". The archive is damaged or was not made by "
                + "Keepsake for this volume; nothing was changed.");
    }
}
