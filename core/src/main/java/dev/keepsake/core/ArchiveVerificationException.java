package dev.keepsake.core;

/** The archive failed verification: damaged, truncated, tampered with, unsigned when that is not allowed, or signed with an unknown key. */
public final class ArchiveVerificationException extends KeepsakeException {
    private static final long serialVersionUID = 1L;

    public ArchiveVerificationException(String message) {
        super(message);
    }

    public ArchiveVerificationException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public ErrorCode code() {
        return ErrorCode.ARCHIVE_INVALID;
    }
}
