/** Extension points of the PostgreSQL part: how the database's schema version is read. */
package dev.keepsake.postgres.spi;
