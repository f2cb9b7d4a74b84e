/** Compression under the tar stream: parallel gzip members, deflate, zstd frames, their walkers. Internal. */
package dev.keepsake.core.internal.compress;
