package dev.keepsake.volume;

/**
 * What a backup does with a file that changes while it is read (its size, modification time, change time or inode
 * differ after reading) or that vanishes between listing and reading. When the before-backup hook reports the
 * application quiesced, changes are accepted with a warning whatever the policy.
 *
 * <p>Immutable and thread-safe. Use {@link #fail()} (the default), {@link #retry(int)} or {@link #accept()}.
 *
 * @param action  what to do
 * @param retries for {@link Action#RETRY}: how many more attempts after the first (1–100); 0 otherwise
 */
public record ChangedFilePolicy(Action action, int retries) {

    /** The possible reactions. */
    public enum Action {
        /** Fail the backup with a message naming the file. */
        FAIL,
        /**
         * Read the file again, up to {@code retries} more times; fail if it never reads consistently. A file that
         * vanished is left out with a warning. Each file is first copied to a spool file (double I/O), because an
         * entry already written to the archive cannot be taken back.
         */
        RETRY,
        /**
         * Keep what was read with a warning: a file that grew is cut at the size it had when listed, one that shrank is
         * padded with zero bytes, one that vanished is left out.
         */
        ACCEPT
    }

    public ChangedFilePolicy {
        if (action == null) {
            throw new IllegalArgumentException("action must not be null");
        }
        if (action == Action.RETRY ? retries < 1 || retries > 100 : retries != 0) {
            throw new IllegalArgumentException("retries must be 1-100 for RETRY and 0 otherwise, but was " + retries
                    + " for " + action);
        }
    }

    /** Fail the backup naming the file (the default). */
    public static ChangedFilePolicy fail() {
        return new ChangedFilePolicy(Action.FAIL, 0);
    }

    /** Read a changed file again, up to {@code retries} more times (1–100), then fail. */
    public static ChangedFilePolicy retry(int retries) {
        return new ChangedFilePolicy(Action.RETRY, retries);
    }

    /** Keep what was read, with a warning. */
    public static ChangedFilePolicy accept() {
        return new ChangedFilePolicy(Action.ACCEPT, 0);
    }
}
