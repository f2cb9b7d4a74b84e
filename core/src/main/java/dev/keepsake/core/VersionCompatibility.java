package dev.keepsake.core;

import java.util.List;

/**
 * Decides whether the running product version may restore a given backup. Implementations must be thread-safe and
 * side-effect free; the engine asks before any part prepares, so a refusal changes nothing.
 *
 * <p>{@link #barriers} builds the declarative default.
 */
@FunctionalInterface
public interface VersionCompatibility {

    /**
     * @param running the version of the running product
     * @param backup  what the verified archive's manifest says
     */
    CompatibilityDecision check(Version running, BackupDescription backup);

    /**
     * The default policy: a backup from a newer product version is refused ("upgrade to at least V"); a backup older
     * than a barrier's {@code refusesOlderThan} is refused once the running version is at or past the barrier's
     * {@code inForceFrom}, naming the barrier's {@code lastAbleToRestore} as the last version that can restore it;
     * everything else is compatible (the service migrates an older backup forward after restore).
     */
    static VersionCompatibility barriers(List<RestoreBarrier> barriers) {
        return new BarrierCompatibility(barriers);
    }

    /** The default policy with no barriers: only backups from newer versions are refused. */
    static VersionCompatibility newerVersionsRefused() {
        return new BarrierCompatibility(List.of());
    }
}
