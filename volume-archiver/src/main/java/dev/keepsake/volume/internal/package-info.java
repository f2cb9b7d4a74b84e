/** Implementation details of the volume part; may change at any time, never use them from outside. */
package dev.keepsake.volume.internal;
