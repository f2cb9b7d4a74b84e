package dev.keepsake.core;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The declarative default {@link VersionCompatibility}; see {@link VersionCompatibility#barriers}. Thread-safe. */
final class BarrierCompatibility implements VersionCompatibility {

    private final List<RestoreBarrier> barriers;

    BarrierCompatibility(List<RestoreBarrier> barriers) {
        // newest barrier first: the one that refuses the most decides the message
        this.barriers = barriers.stream().sorted(Comparator.comparing(RestoreBarrier::inForceFrom).reversed())
                .toList();
    }

    @Override
    public CompatibilityDecision check(Version running, BackupDescription backup) {
        Version made = backup.productVersion();
        if (made.isNewerThan(running)) {
            return new CompatibilityDecision.Refused("The backup was made by version " + made
                    + ", which is newer than the running version " + running + ": upgrade to " + made
                    + " or later to restore it.", Optional.empty(), Optional.of(made));
        }
        // Among the barriers in force for the running version that refuse this backup, the oldest one bounds the
        // last version that can restore it.
        Optional<RestoreBarrier> blocking = barriers.stream()
                .filter(b -> !running.isOlderThan(b.inForceFrom()))
                .filter(b -> made.isOlderThan(b.refusesOlderThan()))
                .min(Comparator.comparing(RestoreBarrier::inForceFrom));
        if (blocking.isPresent()) {
            RestoreBarrier b = blocking.get();
            return new CompatibilityDecision.Refused("The backup was made by version " + made
                    + ", and since version " + b.inForceFrom() + " backups older than " + b.refusesOlderThan()
                    + " can no longer be restored (the database structure changed too much). The last version that can "
                    + "restore it is " + b.lastAbleToRestore() + ": restore it there, then upgrade.",
                    Optional.of(b.lastAbleToRestore()), Optional.empty());
        }
        return CompatibilityDecision.compatible();
    }
}
