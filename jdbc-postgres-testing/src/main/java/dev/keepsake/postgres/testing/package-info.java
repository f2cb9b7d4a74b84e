/** For product teams' test suites: prove that Keepsake round-trips a database ({@link dev.keepsake.postgres.testing.RoundTripAssertion}). */
package dev.keepsake.postgres.testing;
