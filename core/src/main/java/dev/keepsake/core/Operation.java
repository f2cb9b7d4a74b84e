package dev.keepsake.core;

import java.util.concurrent.CompletableFuture;

/**
 * A started backup or restore.
 *
 * @param id         the operation id, {@code <product version>_<ISO-8601 UTC start>}
 * @param completion completes with the final status when the operation ends (never exceptionally: a failure is a
 *                   status with {@code succeeded == false})
 */
public record Operation(String id, CompletableFuture<OperationStatus> completion) {
}
