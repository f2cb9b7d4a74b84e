/** The part's backup: one exported snapshot shared by parallel copy connections, tables planned biggest first (big ones cut into block ranges) and written as chunks; may change at any time. */
package dev.keepsake.postgres.internal.backup;
