package dev.keepsake.core;

import java.util.OptionalLong;

/**
 * Progress of the running operation.
 *
 * @param operation     {@code backup} or {@code restore}
 * @param phase         short description of what happens now (e.g. {@code "verifying archive"})
 * @param currentPart   the part being processed, or empty string between parts
 * @param bytesDone     content bytes processed so far
 * @param bytesExpected content bytes expected in total, where known
 */
public record Progress(String operation, String phase, String currentPart, long bytesDone, OptionalLong bytesExpected) {
}
