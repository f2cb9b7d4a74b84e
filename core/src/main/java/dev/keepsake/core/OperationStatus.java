package dev.keepsake.core;

import java.time.Instant;
import java.util.Optional;

/**
 * The outcome of the last backup or the last restore, as the status endpoint shows it ({@code succeded} there).
 *
 * @param succeeded     whether it finished successfully; false while running and after a failure
 * @param id            {@code <product version>_<ISO-8601 UTC start, millis, Z>}, e.g. {@code 1.0.73_2022-02-16T15:37:19.242Z}
 * @param statusMessage {@code OK} on success, {@code Running} while running, otherwise a sentence naming the cause and the fix
 * @param startDate     when it started
 * @param endDate       when it ended; empty while running
 * @param errorCode     the failure's code; empty on success and while running
 * @param lastVersionThatCanRestore for a restore refused by the version policy: the last product version that can
 *                      restore the backup, if known
 */
public record OperationStatus(boolean succeeded, String id, String statusMessage, Instant startDate,
                              Optional<Instant> endDate, Optional<ErrorCode> errorCode,
                              Optional<String> lastVersionThatCanRestore) {
}
