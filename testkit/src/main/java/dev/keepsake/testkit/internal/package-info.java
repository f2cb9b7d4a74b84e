/** Implementation of the testkit (server strategies, binaries lookup, script runner); may change at any time. */
package dev.keepsake.testkit.internal;
