/** Support for the backup stores: writing and syncing a backup file as it grows. Internal. */
package dev.keepsake.core.internal.store;
