/** The catalog inventory and row digests the round-trip assertion compares. Internal: may change at any time. */
package dev.keepsake.postgres.testing.internal;
