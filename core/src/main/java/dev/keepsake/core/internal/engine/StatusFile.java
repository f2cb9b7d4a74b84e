package dev.keepsake.core.internal.engine;

import dev.keepsake.core.internal.store.OwnerOnly;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.keepsake.core.ErrorCode;
import dev.keepsake.core.OperationStatus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;

/**
 * The engine's status persisted as JSON ({@code <workDir>/status.json}), replaced atomically (temp file, fsync,
 * atomic rename) on every change. Not thread-safe: the engine serialises calls. Internal.
 */
public final class StatusFile {

    private static final JsonFactory JSON = new JsonFactory();
    private final Path file;

    public StatusFile(Path file) {
        this.file = file;
    }

    /** The last backup and restore as persisted. */
    public record Snapshot(Optional<OperationStatus> backup, Optional<OperationStatus> restore) {
    }

    /** Reads the file; an absent file is an empty snapshot. @throws IOException when unreadable or malformed */
    public Snapshot read() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new Snapshot(Optional.empty(), Optional.empty());
        }
        Optional<OperationStatus> backup = Optional.empty();
        Optional<OperationStatus> restore = Optional.empty();
        try (JsonParser p = JSON.createParser(bytes)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken t = p.nextToken();
                if (t == JsonToken.VALUE_NULL) {
                    continue;
                }
                switch (f) {
                    case "backup" -> backup = Optional.of(readOperation(p));
                    case "restore" -> restore = Optional.of(readOperation(p));
                    default -> p.skipChildren();
                }
            }
        } catch (RuntimeException e) {
            throw new IOException("malformed status file: " + e.getMessage(), e);
        }
        return new Snapshot(backup, restore);
    }

    private static void expect(JsonToken t, JsonToken wanted) throws IOException {
        if (t != wanted) {
            throw new IOException("malformed status file: expected " + wanted + " but found " + t);
        }
    }

    private static OperationStatus readOperation(JsonParser p) throws IOException {
        expect(p.currentToken(), JsonToken.START_OBJECT);
        boolean succeeded = false;
        String id = null;
        String message = null;
        Instant start = null;
        Instant end = null;
        ErrorCode code = null;
        String last = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (f) {
                case "succeeded" -> succeeded = p.getBooleanValue();
                case "id" -> id = p.getText();
                case "statusMessage" -> message = p.getText();
                case "startDate" -> start = Instant.parse(p.getText());
                case "endDate" -> end = Instant.parse(p.getText());
                case "errorCode" -> code = ErrorCode.valueOf(p.getText());
                case "lastVersionThatCanRestore" -> last = p.getText();
                default -> p.skipChildren();
            }
        }
        if (id == null || message == null || start == null) {
            throw new IOException("malformed status file: an operation lacks id, statusMessage or startDate");
        }
        return new OperationStatus(succeeded, id, message, start, Optional.ofNullable(end), Optional.ofNullable(code),
                Optional.ofNullable(last));
    }

    /** Replaces the file atomically and durably. */
    public void write(Snapshot s) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(b)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeFieldName("backup");
            writeOperation(g, s.backup());
            g.writeFieldName("restore");
            writeOperation(g, s.restore());
            g.writeEndObject();
        }
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp); // a leftover keeps its mode: create it anew, owner-only
        try (FileChannel c = OwnerOnly.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(b.toByteArray());
            while (buf.hasRemaining()) {
                c.write(buf);
            }
            c.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void writeOperation(JsonGenerator g, Optional<OperationStatus> op) throws IOException {
        if (op.isEmpty()) {
            g.writeNull();
            return;
        }
        OperationStatus o = op.get();
        g.writeStartObject();
        g.writeBooleanField("succeeded", o.succeeded());
        g.writeStringField("id", o.id());
        g.writeStringField("statusMessage", o.statusMessage());
        g.writeStringField("startDate", o.startDate().toString());
        g.writeStringField("endDate", o.endDate().map(Instant::toString).orElse(null));
        g.writeStringField("errorCode", o.errorCode().map(Enum::name).orElse(null));
        g.writeStringField("lastVersionThatCanRestore", o.lastVersionThatCanRestore().orElse(null));
        g.writeEndObject();
    }
}
