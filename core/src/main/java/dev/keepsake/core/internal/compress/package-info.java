/** The compression layer under the tar stream: parallel gzip members, the level-1 deflate encoder, zstd. Internal. */
package dev.keepsake.core.internal.compress;
