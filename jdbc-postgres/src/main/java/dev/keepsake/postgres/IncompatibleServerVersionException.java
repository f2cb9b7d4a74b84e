package dev.keepsake.postgres;

import dev.keepsake.core.ErrorCode;
import dev.keepsake.core.KeepsakeException;

/**
 * The backup was taken on a newer PostgreSQL major version than the target server runs (or the target is older than
 * the oldest supported major); refused before anything was changed. The message names both versions.
 */
public final class IncompatibleServerVersionException extends KeepsakeException {
    private static final long serialVersionUID = 1L;

    public IncompatibleServerVersionException(String message) {
        super(message);
    }

    @Override
    public ErrorCode code() {
        return ErrorCode.INCOMPATIBLE_VERSION;
    }
}
