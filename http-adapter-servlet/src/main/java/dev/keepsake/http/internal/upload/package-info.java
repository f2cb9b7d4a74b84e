/** Receiving a restore upload: the streaming multipart parser, limits and timeouts, the hand-over to the engine. */
package dev.keepsake.http.internal.upload;
