/** Keepsake's own test support (fake parts, part archives, a job context): test scope only, not for users. */
package dev.keepsake.testfixtures;
