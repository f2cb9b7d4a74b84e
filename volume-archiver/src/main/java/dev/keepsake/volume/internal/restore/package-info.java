/** Restoring one volume: validating entries and links, extracting into a private staging directory, swapping it in. */
package dev.keepsake.volume.internal.restore;
