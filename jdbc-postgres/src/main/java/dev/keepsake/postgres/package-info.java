/** Keepsake's PostgreSQL part: consistent backup and all-or-nothing restore of a database over JDBC, the advisory operation lock and a round-trip assertion. */
package dev.keepsake.postgres;
