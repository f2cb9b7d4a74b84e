/** The catalog model (schema script, tables, scope) and the readers that extract it from PostgreSQL's catalogs as dependency-ordered DDL; may change at any time. */
package dev.keepsake.postgres.internal.schema;
