package dev.keepsake.core;

/** A builder or argument was given invalid values; the message lists every problem found. */
public final class InvalidConfigurationException extends KeepsakeException {
    private static final long serialVersionUID = 1L;

    public InvalidConfigurationException(String message) {
        super(message);
    }

    @Override
    public ErrorCode code() {
        return ErrorCode.INVALID_CONFIGURATION;
    }
}
