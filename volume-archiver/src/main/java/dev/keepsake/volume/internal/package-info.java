/** Volume part internals, may change at any time; here what backup and restore share: settings, names, attributes. */
package dev.keepsake.volume.internal;
