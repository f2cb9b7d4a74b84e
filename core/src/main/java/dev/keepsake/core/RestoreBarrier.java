package dev.keepsake.core;

import java.util.Objects;

/**
 * "From version {@code from} on, backups made by versions older than {@code oldestAccepted} are refused; the last
 * release before {@code from} is {@code lastReleaseBefore}" — which is the version that can still restore them.
 *
 * @param from              the first version whose database structure changed too much
 * @param oldestAccepted    backups from versions below this one are refused by {@code from} and later
 * @param lastReleaseBefore the last release before {@code from}: it can restore those backups
 */
public record RestoreBarrier(Version from, Version oldestAccepted, Version lastReleaseBefore) {

    public RestoreBarrier {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(oldestAccepted, "oldestAccepted");
        Objects.requireNonNull(lastReleaseBefore, "lastReleaseBefore");
        if (!lastReleaseBefore.isOlderThan(from)) {
            throw new IllegalArgumentException("restore barrier from " + from + ": lastReleaseBefore "
                    + lastReleaseBefore + " must be older than " + from);
        }
        if (oldestAccepted.isNewerThan(from)) {
            throw new IllegalArgumentException("restore barrier from " + from + ": oldestAccepted " + oldestAccepted
                    + " must not be newer than " + from);
        }
    }

    /** Convenience: {@code RestoreBarrier.of("2.0.0", "1.5.0", "1.9.9")}. */
    public static RestoreBarrier of(String from, String oldestAccepted, String lastReleaseBefore) {
        return new RestoreBarrier(Version.parse(from), Version.parse(oldestAccepted), Version.parse(lastReleaseBefore));
    }
}
