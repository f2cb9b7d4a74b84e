/** A real PostgreSQL server for tests and the demo: shared per JVM and major version, with a fresh database per test. */
package dev.keepsake.testkit;
