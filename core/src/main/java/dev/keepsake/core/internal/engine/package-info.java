/** The engine's procedures: running a backup or a restore, the running operation, the status file. Internal. */
package dev.keepsake.core.internal.engine;
