/** The archive format: tar layout, manifest and its signature, writing an archive and verifying and reading one back. Internal. */
package dev.keepsake.core.internal.archive;
