/** Helpers for SPI implementations in every module: naming daemon threads, closing after a failure, rethrowing. */
package dev.keepsake.core.spi.support;
