/** A benchmark program: Keepsake backup and restore side by side with pg_dump and pg_restore on one dataset. */
package dev.keepsake.benchmarks;
