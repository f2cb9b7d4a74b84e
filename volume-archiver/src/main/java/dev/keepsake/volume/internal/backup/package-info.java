/** Backing up one volume: walking its tree without following links, filtering by globs, streaming into the part. */
package dev.keepsake.volume.internal.backup;
