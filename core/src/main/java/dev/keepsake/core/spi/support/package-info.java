/**
 * Small helpers for implementations of the SPI (parts, stores, locks, adapters), shared by every Keepsake module:
 * naming daemon threads, closing after a failure, rethrowing a task's cause. Nothing else belongs here.
 */
package dev.keepsake.core.spi.support;
