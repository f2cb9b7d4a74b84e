package dev.keepsake.core.internal.compress;

import java.io.IOException;

/**
 * The compressed stream of an archive does not have the form Keepsake writes ({@link CompressedUnits}); {@link #kind}
 * says how, the message gives the detail (offset, unit).
 */
public final class CompressedFormException extends IOException {
    private static final long serialVersionUID = 1L;

    /** How the stream differs from what Keepsake writes. */
    public enum Kind {
        /** It ends inside a compressed unit. */
        INCOMPLETE,
        /** It ends between units but before the mark of the manifest. */
        NO_MANIFEST_MARK,
        /** Something that is not a unit follows the units after the mark. */
        TRAILING_DATA,
        /** A unit of a form Keepsake never writes (another tool's gzip member, a foreign zstd skippable frame). */
        FOREIGN,
        /** A unit's header is impossible (a length out of range, a reserved block type). */
        DAMAGED
    }

    private final Kind kind;

    CompressedFormException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
