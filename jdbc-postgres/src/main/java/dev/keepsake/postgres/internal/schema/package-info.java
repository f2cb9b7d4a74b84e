/** Schema extraction for backups: dependency-ordered DDL read from PostgreSQL's catalogs; may change at any time. */
package dev.keepsake.postgres.internal.schema;
