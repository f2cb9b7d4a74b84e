package dev.keepsake.core;

/** The version policy refused the backup; {@link #decision()} names the last version that can restore it, where known. */
public final class IncompatibleBackupException extends KeepsakeException {
    private static final long serialVersionUID = 1L;
    private final transient CompatibilityDecision.Refused decision;

    public IncompatibleBackupException(CompatibilityDecision.Refused decision) {
        super(decision.reason());
        this.decision = decision;
    }

    public CompatibilityDecision.Refused decision() {
        return decision;
    }

    @Override
    public ErrorCode code() {
        return ErrorCode.INCOMPATIBLE_VERSION;
    }
}
