/** The compression layer under the tar stream: parallel gzip members, the level-1 deflate encoder, zstd frames, and the walk of both without inflating them. Internal. */
package dev.keepsake.core.internal.compress;
