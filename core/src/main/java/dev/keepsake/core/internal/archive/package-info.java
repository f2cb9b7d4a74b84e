/** The archive format: tar layout, manifest, signature; writing an archive, verifying and reading it. Internal. */
package dev.keepsake.core.internal.archive;
