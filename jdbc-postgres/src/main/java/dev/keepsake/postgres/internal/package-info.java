/** Implementation details of the PostgreSQL part; may change at any time, never use them from outside. */
package dev.keepsake.postgres.internal;
