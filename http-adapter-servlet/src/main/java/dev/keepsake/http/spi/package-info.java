/** Extension points of the HTTP adapter: how a request is authenticated. */
package dev.keepsake.http.spi;
