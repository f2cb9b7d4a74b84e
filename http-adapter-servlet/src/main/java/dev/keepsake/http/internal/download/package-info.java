/** Serving the latest backup: streaming it with its validators and answering single byte ranges. */
package dev.keepsake.http.internal.download;
