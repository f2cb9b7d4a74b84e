/** Implementation of the HTTP adapter; may change at any time, do not use directly. */
package dev.keepsake.http.internal;
