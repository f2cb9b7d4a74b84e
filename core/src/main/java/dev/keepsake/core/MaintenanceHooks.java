package dev.keepsake.core;

/**
 * Callbacks around operations, e.g. to put the application in maintenance mode so the database and the volumes agree,
 * or to run Flyway {@code migrate} after a restore of an older backup. All methods default to doing nothing. They run
 * on the operation's thread. A before-hook that throws fails the operation cleanly (nothing is written or changed);
 * after-hooks always run once their before-hook succeeded.
 */
public interface MaintenanceHooks {

    /**
     * Before a backup reads anything.
     *
     * @return true if the application is now quiesced (no writes until {@link #afterBackup}); parts may then relax
     *         checks for data that changes while read
     */
    default boolean beforeBackup(String operationId) throws Exception {
        return false;
    }

    /** After a backup, successful or not. */
    default void afterBackup(String operationId, boolean succeeded) throws Exception {
    }

    /** After the archive verified and the version policy accepted it, before any part prepares. */
    default void beforeRestore(String operationId, BackupDescription backup) throws Exception {
    }

    /**
     * After a restore, successful or not. A failure here after a successful restore marks the restore failed with the
     * hook's message (the data is restored, but the application may need attention).
     */
    default void afterRestore(String operationId, BackupDescription backup, boolean succeeded) throws Exception {
    }

    /** Hooks that do nothing. */
    MaintenanceHooks NONE = new MaintenanceHooks() {
    };
}
