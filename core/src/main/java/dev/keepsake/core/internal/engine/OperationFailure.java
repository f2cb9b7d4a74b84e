package dev.keepsake.core.internal.engine;

import dev.keepsake.core.ErrorCode;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How a backup or restore ended unsuccessfully: the error code and the status message (a sentence naming the cause
 * and the fix). Thrown inside the engine only; never escapes to callers.
 */
public final class OperationFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public final ErrorCode code;
    public final transient Optional<String> lastVersionThatCanRestore;

    public OperationFailure(ErrorCode code, String statusMessage, Throwable cause) {
        this(code, statusMessage, Optional.empty(), cause);
    }

    public OperationFailure(ErrorCode code, String statusMessage, Optional<String> lastVersion, Throwable cause) {
        super(statusMessage, cause, false, false);
        this.code = code;
        this.lastVersionThatCanRestore = lastVersion;
    }

    /** Whether {@code t} or one of its causes is an interruption. */
    public static boolean isInterruption(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InterruptedException || c instanceof InterruptedIOException
                    || c instanceof ClosedByInterruptException) {
                return true;
            }
        }
        return false;
    }

    /**
     * A short, single-line description of {@code t} for a status message: its message (or its type when it has none),
     * without line breaks and with the given directories replaced by a neutral name, so no server path leaks.
     */
    public static String describe(Throwable t, Path... hiddenDirectories) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            m = t.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        if (nl >= 0) {
            m = m.substring(0, nl);
        }
        for (Path dir : hiddenDirectories) {
            if (dir != null) {
                String d = dir.toAbsolutePath().toString();
                if (d.length() > 1) {
                    m = m.replace(d + "/", "").replace(d, "<work directory>");
                }
            }
        }
        if (m.length() > 500) {
            m = m.substring(0, 500) + "…";
        }
        return m;
    }

    /** {@code s} with its first letter in lower case, to follow "Restore refused: ". */
    public static String lowerFirst(String s) {
        if (s.isEmpty() || s.length() > 1 && Character.isUpperCase(s.charAt(1))) {
            return s;
        }
        return Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
