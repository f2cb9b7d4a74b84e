/** Keepsake's public API: the maintenance engine, its status, archive keys and the version policy. */
package dev.keepsake.core;
