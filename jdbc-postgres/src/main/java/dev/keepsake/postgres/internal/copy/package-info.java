/** Moving rows with COPY: a table streamed out into chunks of whole rows, chunks streamed back in from a thread of their own, the binary COPY format, socket reads batched during a copy; may change at any time. */
package dev.keepsake.postgres.internal.copy;
