/** Small helpers every module shares (naming threads, closing after a failure, rethrowing a cause); nothing else. */
package dev.keepsake.core.internal.lang;
