/** What a database holds (object inventory and row digests), read to compare two databases for RoundTripAssertion; may change at any time. */
package dev.keepsake.postgres.internal.content;
