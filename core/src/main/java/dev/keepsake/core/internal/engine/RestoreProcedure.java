package dev.keepsake.core.internal.engine;

import dev.keepsake.core.ArchiveVerificationException;
import dev.keepsake.core.BackupDescription;
import dev.keepsake.core.CompatibilityDecision;
import dev.keepsake.core.ErrorCode;
import dev.keepsake.core.IncompatibleBackupException;
import dev.keepsake.core.RestoreSource;
import dev.keepsake.core.Version;
import dev.keepsake.core.internal.archive.ArchiveReader;
import dev.keepsake.core.internal.archive.ArchiveVerifier;
import dev.keepsake.core.internal.archive.Manifest;
import dev.keepsake.core.spi.PreparedRestore;
import dev.keepsake.core.spi.RestoreJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One restore: pass 1 verifies the archive without inflating its data ({@link ArchiveVerifier#verify}: signature,
 * manifest, the size and SHA-256 of the compressed data) and asks the version policy; then the before-hook; then pass
 * 2 ({@link ArchiveReader}) checks every entry against the manifest while every part prepares (abort all on any
 * failure), and the data's SHA-256 again after the last, then commits them — parts that can undo their commit first, the rest last — aborting the rest
 * and rolling back the undoable committed ones if a commit fails; the after-hook; finally the source is deleted when
 * the engine owns it. Runs on the operation's thread.
 */
public final class RestoreProcedure {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreProcedure.class);

    private final EngineSettings settings;
    private final RunningOperation op;
    private final RestoreSource source;

    public RestoreProcedure(EngineSettings settings, RunningOperation op, RestoreSource source) {
        this.settings = settings;
        this.op = op;
        this.source = source;
    }

    private String describe(Throwable t) {
        Path parent = source.file().toAbsolutePath().getParent();
        return OperationFailure.describe(t, settings.workDirectory(), parent);
    }

    /**
     * Verifies an archive and checks it against the version policy, as {@code verify} and restores do: {@code verify}
     * ({@code op} null) runs both passes ({@link ArchiveVerifier#verifyFully}), a restore the first, its parts then
     * reading the archive through the second.
     */
    public static ArchiveVerifier.VerifiedArchive verifyAndCheck(EngineSettings settings, Path file, RunningOperation op)
            throws IOException {
        ArchiveVerifier.VerifiedArchive v = op == null ? settings.verifier().verifyFully(file, null)
                : settings.verifier().verify(file, op.bytesDone::set);
        String made = v.description().productName();
        if (!made.equals(settings.productName())) {
            throw new IncompatibleBackupException(new CompatibilityDecision.Refused("The backup was made by the "
                    + "product '" + made + "', not by '" + settings.productName() + "': restore it with the product "
                    + "that made it.", Optional.empty(), Optional.empty()));
        }
        CompatibilityDecision decision = settings.compatibility().check(settings.productVersion(), v.description());
        if (decision instanceof CompatibilityDecision.Refused refused) {
            throw new IncompatibleBackupException(refused);
        }
        return v;
    }

    public void run() {
        try {
            restore();
        } finally {
            if (source.deleteWhenDone()) {
                try {
                    Files.deleteIfExists(source.file());
                } catch (IOException e) {
                    LOG.warn("{} - could not delete the uploaded archive: {}", op.id, describe(e));
                }
            }
        }
    }

    private OperationFailure interrupted(Throwable cause) {
        return new OperationFailure(ErrorCode.INTERRUPTED, "The restore was interrupted (the service is shutting "
                + "down or the operation was cancelled) before anything was changed. Start the restore again.", cause);
    }

    private void restore() {
        long fileSize = -1;
        try {
            fileSize = Files.size(source.file());
        } catch (IOException e) {
            // verification reports the missing or unreadable file with a proper message
        }
        op.stage("verifying the archive", "", fileSize);
        ArchiveVerifier.VerifiedArchive verified;
        try {
            verified = verifyAndCheck(settings, source.file(), op);
        } catch (ArchiveVerificationException e) {
            throw new OperationFailure(ErrorCode.ARCHIVE_INVALID, "Restore refused: "
                    + OperationFailure.lowerFirst(e.getMessage()) + " Nothing was changed.", e);
        } catch (IncompatibleBackupException e) {
            throw new OperationFailure(ErrorCode.INCOMPATIBLE_VERSION, "Restore refused: "
                    + OperationFailure.lowerFirst(e.getMessage()) + " Nothing was changed.",
                    e.decision().lastVersionThatCanRestore().map(Version::toString), e);
        } catch (IOException | RuntimeException e) {
            if (OperationFailure.isInterruption(e)) {
                throw interrupted(e);
            }
            throw new OperationFailure(ErrorCode.ARCHIVE_INVALID, "Restore refused: the archive could not be read ("
                    + describe(e) + "). Nothing was changed.", e);
        }
        checkParts(verified.manifest());
        BackupDescription backup = verified.description();

        op.stage("running before-restore hook", "", -1);
        try {
            settings.hooks().beforeRestore(op.id, backup);
        } catch (Exception e) {
            if (OperationFailure.isInterruption(e)) {
                throw interrupted(e);
            }
            throw new OperationFailure(ErrorCode.HOOK_FAILED, "Restore failed: the before-restore hook failed ("
                    + describe(e) + "); nothing was changed. Fix the hook's problem and start the restore again.", e);
        }
        boolean succeeded = false;
        try {
            restoreParts(verified);
            succeeded = true;
        } finally {
            op.stage("running after-restore hook", "", -1);
            try {
                settings.hooks().afterRestore(op.id, backup, succeeded);
            } catch (Exception e) {
                if (succeeded) {
                    throw new OperationFailure(ErrorCode.HOOK_FAILED, "The data was restored, but the after-restore"
                            + " hook failed (" + describe(e) + "); the application may need attention (e.g. run "
                            + "its migrations) before it is used.", e);
                }
                LOG.warn("{} - after-restore hook failed after a failed restore: {}", op.id, describe(e));
            }
        }
    }

    /** Every archive part needs a registered restore job and every restore job a part in the archive. */
    private void checkParts(Manifest manifest) {
        Set<String> inArchive = new TreeSet<>();
        manifest.parts().forEach(p -> inArchive.add(p.name()));
        Set<String> registered = new TreeSet<>();
        settings.restoreJobs().forEach(j -> registered.add(j.name()));
        Set<String> unknown = new TreeSet<>(inArchive);
        unknown.removeAll(registered);
        Set<String> missing = new TreeSet<>(registered);
        missing.removeAll(inArchive);
        if (unknown.isEmpty() && missing.isEmpty()) {
            return;
        }
        StringBuilder m = new StringBuilder("Restore refused: the archive's parts do not match this service's parts");
        if (!unknown.isEmpty()) {
            m.append("; the archive has part(s) this service does not restore: ").append(String.join(", ", unknown));
        }
        if (!missing.isEmpty()) {
            m.append("; the archive lacks part(s) this service needs: ").append(String.join(", ", missing));
        }
        m.append(". Restore a backup made by this service. Nothing was changed.");
        throw new OperationFailure(ErrorCode.ARCHIVE_INVALID, m.toString(), null);
    }

    private void restoreParts(ArchiveVerifier.VerifiedArchive verified) {
        Map<String, RestoreJob> jobs = new LinkedHashMap<>();
        settings.restoreJobs().forEach(j -> jobs.put(j.name(), j));
        Map<String, PreparedRestore> prepared = new LinkedHashMap<>();
        try {
            prepareAll(verified, jobs, prepared);
            commitAll(prepared);
        } finally {
            for (Map.Entry<String, PreparedRestore> p : prepared.entrySet()) {
                try {
                    p.getValue().close();
                } catch (Exception e) {
                    LOG.warn("{} - part '{}' could not release its resources: {}", op.id, p.getKey(), describe(e));
                }
            }
        }
    }

    private void prepareAll(ArchiveVerifier.VerifiedArchive verified, Map<String, RestoreJob> jobs,
                            Map<String, PreparedRestore> prepared) {
        String part = null;
        op.stage("preparing", "", verified.manifest().totalBytes());
        try (ArchiveReader reader = ArchiveReader.open(source.file(), verified)) {
            for (Manifest.Part p : verified.manifest().parts()) {
                part = p.name();
                op.part("preparing", part);
                ArchiveReader.Part in = reader.part(p, op);
                PreparedRestore staged = jobs.get(part).prepare(in, op);
                if (staged == null) {
                    throw new IllegalStateException("prepare() returned null");
                }
                prepared.put(part, staged);
                in.finish();
            }
            part = null;
            reader.finish();
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("interrupted before commit");
            }
        } catch (Exception e) {
            List<String> names = new ArrayList<>(prepared.keySet());
            for (int i = names.size() - 1; i >= 0; i--) {
                abort(names.get(i), prepared.get(names.get(i)));
            }
            if (OperationFailure.isInterruption(e) || op.interruptRequested) {
                throw interrupted(e);
            }
            ArchiveVerificationException tampered = verificationFailure(e);
            if (tampered != null) {
                throw new OperationFailure(ErrorCode.ARCHIVE_INVALID, "Restore refused: "
                        + OperationFailure.lowerFirst(tampered.getMessage()) + " Nothing was changed.", e);
            }
            String where = part == null ? "reading the archive again" : "preparing part '" + part + "'";
            throw new OperationFailure(ErrorCode.PART_FAILED, "Restore failed while " + where + " ("
                    + describe(e) + "); nothing was changed. Fix the problem and start the restore again.", e);
        }
    }

    /** The archive's own verification failure in {@code e}'s causes (a part may wrap it), or null. */
    private static ArchiveVerificationException verificationFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ArchiveVerificationException ave) {
                return ave;
            }
        }
        return null;
    }

    private void commitAll(Map<String, PreparedRestore> prepared) {
        // Once the first part commits, finish the commits even if interrupted: stopping half-way is worse.
        boolean interrupted = Thread.interrupted();
        List<String> order = commitOrder(prepared);
        List<String> committed = new ArrayList<>();
        try {
            for (int i = 0; i < order.size(); i++) {
                String name = order.get(i);
                op.part("committing", name);
                try {
                    prepared.get(name).commit();
                    committed.add(name);
                } catch (Exception e) {
                    for (int j = order.size() - 1; j >= i; j--) {
                        abort(order.get(j), prepared.get(order.get(j)));
                    }
                    List<String> rolledBack = new ArrayList<>();
                    List<String> kept = new ArrayList<>();
                    for (int j = committed.size() - 1; j >= 0; j--) {
                        String c = committed.get(j);
                        if (prepared.get(c).canUndoCommit() && undo(c, prepared.get(c))) {
                            rolledBack.add(c);
                        } else {
                            kept.add(c);
                        }
                    }
                    throw new OperationFailure(ErrorCode.PART_FAILED, commitFailureMessage(name, e, kept,
                            rolledBack, order.subList(i, order.size())), e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Parts whose commit can be undone first, then the rest, each group in registration order: if the last,
     * irreversible commit (the database transaction) fails, the earlier ones are rolled back.
     */
    private List<String> commitOrder(Map<String, PreparedRestore> prepared) {
        List<String> registered = settings.restoreJobs().stream().map(RestoreJob::name).toList();
        List<String> order = new ArrayList<>();
        registered.stream().filter(n -> prepared.get(n).canUndoCommit()).forEach(order::add);
        registered.stream().filter(n -> !prepared.get(n).canUndoCommit()).forEach(order::add);
        return order;
    }

    private String commitFailureMessage(String failed, Exception e, List<String> kept, List<String> rolledBack,
                                               List<String> left) {
        StringBuilder m = new StringBuilder("Restore failed while committing part '").append(failed).append("' (")
                .append(describe(e)).append(").");
        if (kept.isEmpty()) {
            m.append(" Nothing was changed");
            if (!rolledBack.isEmpty()) {
                m.append(" (parts rolled back: ").append(String.join(", ", rolledBack)).append(')');
            }
            return m.append("; fix the problem and start the restore again.").toString();
        }
        m.append(" Parts already restored: ").append(String.join(", ", kept)).append("; parts left unchanged: ")
                .append(String.join(", ", left));
        if (!rolledBack.isEmpty()) {
            m.append(", ").append(String.join(", ", rolledBack)).append(" (rolled back)");
        }
        return m.append(". The data may now be inconsistent: fix the problem and restore the backup again.").toString();
    }

    private boolean undo(String name, PreparedRestore p) {
        try {
            p.abort();
            return true;
        } catch (Exception e) {
            LOG.warn("{} - part '{}' could not roll back its commit: {}", op.id, name, describe(e));
            return false;
        }
    }

    private void abort(String name, PreparedRestore p) {
        try {
            p.abort();
        } catch (Exception e) {
            LOG.warn("{} - part '{}' could not undo its prepared restore: {}", op.id, name, describe(e));
        }
    }
}
