/** Implementation details of the PostgreSQL part that its sub-packages share (settings, connections, server facts, SQL quoting, the part's layout in the archive); may change at any time, never use them from outside. */
package dev.keepsake.postgres.internal;
