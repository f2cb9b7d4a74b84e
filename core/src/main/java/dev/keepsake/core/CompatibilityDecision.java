package dev.keepsake.core;

import java.util.Objects;
import java.util.Optional;

/**
 * Whether the running product may restore a backup: {@link Compatible} or {@link Refused}, the latter with a human
 * reason and, where one exists, the last product version that can restore the backup.
 */
public sealed interface CompatibilityDecision {

    /** The backup may be restored. */
    record Compatible() implements CompatibilityDecision {
    }

    /**
     * The backup must not be restored by this version.
     *
     * @param reason              a sentence naming both versions and what to do
     * @param lastVersionThatCanRestore the last product version that can restore the backup, if known; for a backup
     *                            from a newer version, empty (the fix is upgrading, see {@code minimumVersion})
     * @param minimumVersion      for a backup from a newer version: the version to upgrade to at least
     */
    record Refused(String reason, Optional<Version> lastVersionThatCanRestore, Optional<Version> minimumVersion)
            implements CompatibilityDecision {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(lastVersionThatCanRestore, "lastVersionThatCanRestore");
            Objects.requireNonNull(minimumVersion, "minimumVersion");
        }
    }

    static CompatibilityDecision compatible() {
        return new Compatible();
    }

    default boolean isCompatible() {
        return this instanceof Compatible;
    }
}
