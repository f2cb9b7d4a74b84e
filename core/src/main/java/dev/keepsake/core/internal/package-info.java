/** Implementation details of the core module; may change at any time, never use them from outside. */
package dev.keepsake.core.internal;
