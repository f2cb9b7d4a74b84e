package dev.keepsake.http.internal.upload;

import dev.keepsake.http.internal.problem.ProblemType;

import java.io.IOException;

/** An upload is refused with a given problem; the message is safe to show to the client. */
final class UploadRefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient ProblemType problem;

    UploadRefusedException(ProblemType problem, String detail) {
        super(detail);
        this.problem = problem;
    }

    ProblemType problem() {
        return problem;
    }
}
