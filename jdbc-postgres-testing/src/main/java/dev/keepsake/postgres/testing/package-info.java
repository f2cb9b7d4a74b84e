/** For product teams' test suites: prove that Keepsake round-trips a database ({@link RoundTripAssertion}). */
package dev.keepsake.postgres.testing;
