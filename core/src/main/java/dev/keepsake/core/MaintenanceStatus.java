package dev.keepsake.core;

import java.util.Optional;

/**
 * A snapshot of the engine's state; maps 1:1 to the status JSON ({@code running}, {@code backup}, {@code restore},
 * plus {@code progress} while running). Immutable.
 *
 * @param running  whether a backup or restore is running now
 * @param backup   the last (or running) backup; empty if there never was one
 * @param restore  the last (or running) restore; empty if there never was one
 * @param progress the running operation's progress; empty when nothing runs
 */
public record MaintenanceStatus(boolean running, Optional<OperationStatus> backup, Optional<OperationStatus> restore,
                                Optional<Progress> progress) {
}
