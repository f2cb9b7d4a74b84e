/** The volume part: named directories backed up into the archive and restored atomically, safe against hostile archives. */
package dev.keepsake.volume;
