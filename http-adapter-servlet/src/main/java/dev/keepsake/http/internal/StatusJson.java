package dev.keepsake.http.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keepsake.core.MaintenanceStatus;
import dev.keepsake.core.OperationStatus;
import dev.keepsake.core.Progress;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * Maps the engine's status to the seed's JSON:
 * <pre>{"running":false,
 *  "backup":{"succeded":true,"id":"1.0.73_2022-02-16T15:37:19.242Z","statusMessage":"OK",
 *            "startDate":"2022-02-16T15:37:19.242Z","endDate":"2022-02-16T15:37:21.003Z"},
 *  "restore":{...}}</pre>
 * {@code succeded} is misspelled on purpose (the seed's contract). Before the first backup (restore) the object is
 * still there: {@code succeded false}, {@code id null}, {@code statusMessage "No backup yet"} ({@code "No restore
 * yet"}), both dates {@code null}. Dates are ISO-8601 UTC with milliseconds and {@code Z}. Extra members:
 * {@code errorCode} and {@code lastVersionThatCanRestore} in an operation object when the engine reports them, and
 * {@code progress} ({@code operation, phase, currentPart, bytesDone, bytesExpected}) while running. Thread-safe.
 */
public final class StatusJson {

    /** The fixed ISO-8601 form: always three fraction digits and {@code Z}. */
    public static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusJson() {
    }

    /** The JSON document as UTF-8 bytes. */
    public static byte[] toJson(MaintenanceStatus status) {
        ObjectNode root = JSON.createObjectNode();
        root.put("running", status.running());
        root.set("backup", operation(status.backup(), "No backup yet"));
        root.set("restore", operation(status.restore(), "No restore yet"));
        status.progress().ifPresent(p -> root.set("progress", progress(p)));
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise the status", e);
        }
    }

    private static ObjectNode operation(Optional<OperationStatus> op, String never) {
        ObjectNode n = JSON.createObjectNode();
        if (op.isEmpty()) {
            n.put("succeded", false);
            n.putNull("id");
            n.put("statusMessage", never);
            n.putNull("startDate");
            n.putNull("endDate");
            return n;
        }
        OperationStatus s = op.get();
        n.put("succeded", s.succeeded());
        n.put("id", s.id());
        n.put("statusMessage", s.statusMessage());
        n.put("startDate", format(s.startDate()));
        n.put("endDate", s.endDate().map(StatusJson::format).orElse(null));
        s.errorCode().ifPresent(c -> n.put("errorCode", c.name()));
        s.lastVersionThatCanRestore().ifPresent(v -> n.put("lastVersionThatCanRestore", v));
        return n;
    }

    private static ObjectNode progress(Progress p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("operation", p.operation());
        n.put("phase", p.phase());
        n.put("currentPart", p.currentPart());
        n.put("bytesDone", p.bytesDone());
        if (p.bytesExpected().isPresent()) {
            n.put("bytesExpected", p.bytesExpected().getAsLong());
        } else {
            n.putNull("bytesExpected");
        }
        return n;
    }

    /** {@code null} stays {@code null}. */
    public static String format(Instant t) {
        return t == null ? null : ISO_MILLIS.format(t);
    }
}
