/** Extension points: backup and restore jobs for the parts of an archive, the backup store and the operation lock. */
package dev.keepsake.core.spi;
