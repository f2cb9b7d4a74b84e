/** Error answers: the problem kinds, {@code application/problem+json}, the sentences for the engine's error codes. */
package dev.keepsake.http.internal.problem;
