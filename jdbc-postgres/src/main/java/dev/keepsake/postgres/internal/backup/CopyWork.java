package dev.keepsake.postgres.internal.backup;

/**
 * One COPY of a backup: a whole table, or one range of its heap blocks.
 *
 * @param tableIndex     the table's index in the schema script (its data stream)
 * @param range          a condition on {@code ctid} selecting a range of blocks, or null for the whole table
 * @param estimatedBytes for biggest-first scheduling
 */
record CopyWork(int tableIndex, String range, long estimatedBytes) {
}
