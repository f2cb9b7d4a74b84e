/** HTTP adapter internals, may change at any time: the endpoints, init parameters, status JSON and 202 answer. */
package dev.keepsake.http.internal;
