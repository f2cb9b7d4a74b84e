package dev.keepsake.examples;

import dev.keepsake.core.ErrorCode;

/** The command line's exit codes: what a cron job or a script can tell apart without parsing messages. */
enum ExitStatus {
    /** The command did what it was asked. */
    OK(0),
    /** Any failure not covered below (database unreachable, disk full, ...). */
    FAILURE(1),
    /** The command line is wrong (unknown option, missing argument, invalid value). */
    USAGE(2),
    /** The archive is fine but the version policy refuses it (e.g. made by a version too old or too new). */
    INCOMPATIBLE(3),
    /** The archive failed verification: damaged, truncated, tampered with, unsigned, or signed with an unknown key. */
    VERIFICATION_FAILED(4);

    private final int code;

    ExitStatus(int code) {
        this.code = code;
    }

    int code() {
        return code;
    }

    /** The exit status for a failure the engine reports with {@code code}. */
    static ExitStatus of(ErrorCode code) {
        return switch (code) {
            case INCOMPATIBLE_VERSION -> INCOMPATIBLE;
            case ARCHIVE_INVALID -> VERIFICATION_FAILED;
            default -> FAILURE;
        };
    }
}
