package dev.keepsake.http.internal.upload;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keepsake.core.KeepsakeException;
import dev.keepsake.core.MaintenanceEngine;
import dev.keepsake.core.Operation;
import dev.keepsake.core.OperationInProgressException;
import dev.keepsake.core.RestoreSource;
import dev.keepsake.core.spi.support.Closeables;
import dev.keepsake.http.internal.Accepted;
import dev.keepsake.http.internal.problem.EngineErrors;
import dev.keepsake.http.internal.problem.ProblemType;
import dev.keepsake.http.internal.problem.Problems;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One restore upload: streams the multipart body's {@code file} part into a temp file (constant memory), enforces
 * the size limit, the part limit, an idle timeout between reads and an overall deadline, and — only once the upload
 * is complete — hands the file to {@link MaintenanceEngine#startRestore}, which takes the operation lock and the
 * file's ownership. On every other outcome the temp file is deleted here.
 *
 * <p>With asynchronous servlet support (the normal case) the body is read with non-blocking I/O: a trickling or
 * stalled client holds no request thread, and a watchdog answers {@code 408} and closes the connection when the
 * idle timeout or the deadline passes. Without it (asyncSupported off on the servlet or a filter in front), reads
 * block; the deadline is checked after every read and the container's own read timeout bounds a stalled client.
 *
 * <p>Thread-safety: the container thread that reads and the watchdog thread synchronise on this object; the lock is
 * held while a chunk (≤ 64 KiB) is parsed and written, never while waiting for the client.
 */
public final class RestoreUpload implements MultipartParser.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreUpload.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int READ_BUFFER = 64 * 1024;
    private static final int MAX_PART_HEADER_BYTES = 16 * 1024;

    /** What the upload needs from the servlet; immutable. */
    public record Settings(MaintenanceEngine engine, Path tempDirectory, long maxUploadSize, int maxParts,
                           Duration idleTimeout, Duration deadline, ScheduledExecutorService watchdog,
                           UploadRegistry registry, String statusLocation) {
    }

    private final Settings settings;
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final MultipartParser parser;
    private final Path tempFile;
    private final FileChannel channel;
    private final long startNanos = System.nanoTime();
    private final byte[] readBuffer = new byte[READ_BUFFER];

    private volatile long lastActivityNanos = startNanos;
    private long bytesReceived;
    private long fileBytes;
    private int parts;
    private boolean inFilePart;
    private boolean fileSeen;
    private boolean done;
    private boolean handedOver;
    private AsyncContext async;
    private volatile ScheduledFuture<?> watch;

    private RestoreUpload(Settings settings, HttpServletRequest request, HttpServletResponse response, String boundary,
                          Path tempFile, FileChannel channel) {
        this.settings = settings;
        this.request = request;
        this.response = response;
        this.parser = new MultipartParser(boundary, MAX_PART_HEADER_BYTES, this);
        this.tempFile = tempFile;
        this.channel = channel;
    }

    /**
     * Handles {@code POST …/restore}: checks the request line, then receives the body (asynchronously when
     * possible). Returns once the body is being read; the answer is sent when the upload ends.
     */
    public static void handle(Settings settings, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String boundary;
        try {
            boundary = MultipartParser.boundaryOf(req.getContentType()).orElse(null);
        } catch (MultipartParser.MalformedMultipartException e) {
            refuseEarly(req, resp, ProblemType.BAD_REQUEST, e.getMessage());
            return;
        }
        if (boundary == null) {
            refuseEarly(req, resp, ProblemType.UNSUPPORTED_MEDIA_TYPE, "A restore takes a multipart/form-data "
                    + "body with the backup in the field 'file' (curl -F file=@backup.tgz), not "
                    + (req.getContentType() == null ? "a body without Content-Type" : "'" + mediaTypeOf(req) + "'")
                    + ".");
            return;
        }
        long declared = req.getContentLengthLong();
        if (declared > settings.maxUploadSize()) {
            refuseEarly(req, resp, ProblemType.UPLOAD_TOO_LARGE, tooLarge(settings.maxUploadSize()));
            return;
        }
        if (settings.engine().status().running()) {
            // Advisory early answer so that a client does not send gigabytes in vain; the lock itself is taken
            // only when the upload is complete.
            refuseEarly(req, resp, ProblemType.OPERATION_IN_PROGRESS, EngineErrors.inProgress());
            return;
        }
        Path temp;
        FileChannel channel;
        try {
            Files.createDirectories(settings.tempDirectory());
            temp = createTempFile(settings.tempDirectory());
            try {
                channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
        } catch (IOException e) {
            String ref = EngineErrors.reference();
            LOG.error("restore upload: cannot create a temp file in the upload directory (reference {})", ref, e);
            refuseEarly(req, resp, ProblemType.INSUFFICIENT_STORAGE, "The server cannot store uploads in its "
                    + "temporary directory (missing permissions or disk full); reference " + ref + ".");
            return;
        }
        RestoreUpload upload = new RestoreUpload(settings, req, resp, boundary, temp, channel);
        settings.registry().add(upload);
        try {
            if (req.isAsyncSupported()) {
                upload.receiveAsync();
            } else {
                upload.receiveBlocking();
            }
        } catch (IOException | RuntimeException | Error e) {
            upload.cleanUp();
            throw e;
        }
    }

    private static Path createTempFile(Path dir) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return Files.createTempFile(dir, "keepsake-upload-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        return Files.createTempFile(dir, "keepsake-upload-", ".tmp");
    }

    private static String mediaTypeOf(HttpServletRequest req) {
        String ct = req.getContentType();
        int semi = ct.indexOf(';');
        String t = (semi < 0 ? ct : ct.substring(0, semi)).strip();
        return t.length() > 100 ? t.substring(0, 100) : t.replaceAll("[^\\x20-\\x7e]", "?");
    }

    static String tooLarge(long max) {
        return "The upload exceeds the limit of " + max + " bytes (" + human(max) + "); the server's "
                + "maxUploadSize must be raised to restore a larger backup.";
    }

    /** Most body bytes read and discarded after an early refusal (see {@link #refuseEarly}). */
    static final long MAX_SWALLOW = 2L * 1024 * 1024;

    private static String human(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return bytes + " B";
    }

    /**
     * Answers before reading the body and closes the connection. A small body (at most {@value #MAX_SWALLOW} bytes, as
     * declared) is read and discarded first: closing a socket with unread data makes the kernel reset the connection,
     * and a client still sending would then lose the answer (Tomcat's {@code maxSwallowSize} does the same). A larger
     * body is not read; such clients should send {@code Expect: 100-continue} (curl does above 1 MB) and so receive
     * the answer before sending anything.
     */
    private static void refuseEarly(HttpServletRequest req, HttpServletResponse resp, ProblemType type, String detail)
            throws IOException {
        resp.setHeader("Connection", "close");
        Problems.send(req, resp, type, detail);
        long declared = req.getContentLengthLong();
        if (declared <= 0 || declared > MAX_SWALLOW) {
            return;
        }
        try {
            resp.flushBuffer();
            ServletInputStream in = req.getInputStream();
            byte[] discard = new byte[8192];
            long left = declared;
            int n;
            while (left > 0 && (n = in.read(discard, 0, (int) Math.min(discard.length, left))) > 0) {
                left -= n;
            }
        } catch (IOException | IllegalStateException e) {
            // the client went away or the container will not hand out the body: the answer was sent anyway
        }
    }

    // ---------------------------------------------------------------- asynchronous reading

    private void receiveAsync() throws IOException {
        AsyncContext ac = request.startAsync(request, response);
        // Backstop only: the watchdog below answers first.
        ac.setTimeout(settings.deadline().plusSeconds(30).toMillis());
        ac.addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
                cleanUp();
            }

            @Override
            public void onTimeout(AsyncEvent event) {
                fail(ProblemType.UPLOAD_TIMEOUT, "The upload took longer than the allowed "
                        + settings.deadline() + "; it was discarded.");
            }

            @Override
            public void onError(AsyncEvent event) {
                fail(ProblemType.BAD_REQUEST, "The upload failed while being received; it was discarded.");
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
                // not re-started
            }
        });
        synchronized (this) {
            async = ac;
        }
        long period = Math.max(20, Math.min(1000, settings.idleTimeout().toMillis() / 4));
        watch = settings.watchdog().scheduleWithFixedDelay(this::checkTimeouts, period, period, TimeUnit.MILLISECONDS);
        ServletInputStream in = request.getInputStream();
        in.setReadListener(new ReadListener() {
            @Override
            public void onDataAvailable() {
                readAvailable(in);
            }

            @Override
            public void onAllDataRead() {
                complete();
            }

            @Override
            public void onError(Throwable t) {
                readFailed(t);
            }
        });
    }

    private void readAvailable(ServletInputStream in) {
        synchronized (this) {
            if (done) {
                return;
            }
            try {
                while (in.isReady()) {
                    int n = in.read(readBuffer);
                    if (n < 0) {
                        break;
                    }
                    accept(n);
                }
            } catch (UploadRefusedException e) {
                fail(e.problem(), e.getMessage());
            } catch (MultipartParser.MalformedMultipartException e) {
                fail(ProblemType.BAD_REQUEST, e.getMessage());
            } catch (DiskException e) {
                failStorage(e);
            } catch (IOException e) {
                readFailed(e);
            }
        }
    }

    private void readFailed(Throwable t) {
        LOG.debug("restore upload: reading the request failed: {}", t.toString());
        boolean timeout = t instanceof InterruptedIOException || t instanceof java.util.concurrent.TimeoutException
                || (t.getCause() instanceof java.util.concurrent.TimeoutException);
        fail(timeout ? ProblemType.UPLOAD_TIMEOUT : ProblemType.BAD_REQUEST,
                timeout ? "The upload stalled longer than the server's read timeout; it was discarded."
                        : "The upload could not be read completely; it was discarded.");
    }

    private void checkTimeouts() {
        synchronized (this) {
            if (done) {
                ScheduledFuture<?> w = watch;
                if (w != null) {
                    w.cancel(false);
                }
                return;
            }
        }
        long now = System.nanoTime();
        if (now - startNanos > settings.deadline().toNanos()) {
            fail(ProblemType.UPLOAD_TIMEOUT, "The upload took longer than the allowed " + settings.deadline()
                    + "; it was discarded. Upload over a faster connection or ask for a longer uploadDeadline.");
        } else if (now - lastActivityNanos > settings.idleTimeout().toNanos()) {
            fail(ProblemType.UPLOAD_TIMEOUT, "No upload data arrived for " + settings.idleTimeout()
                    + "; the upload was discarded.");
        }
    }

    // ---------------------------------------------------------------- blocking reading (fallback)

    private void receiveBlocking() throws IOException {
        ServletInputStream in = request.getInputStream();
        try {
            while (true) {
                int n;
                try {
                    n = in.read(readBuffer);
                } catch (IOException e) {
                    readFailed(e);
                    return;
                }
                if (n < 0) {
                    break;
                }
                synchronized (this) {
                    accept(n);
                }
                if (System.nanoTime() - startNanos > settings.deadline().toNanos()) {
                    fail(ProblemType.UPLOAD_TIMEOUT, "The upload took longer than the allowed "
                            + settings.deadline() + "; it was discarded.");
                    return;
                }
            }
        } catch (UploadRefusedException e) {
            fail(e.problem(), e.getMessage());
            return;
        } catch (MultipartParser.MalformedMultipartException e) {
            fail(ProblemType.BAD_REQUEST, e.getMessage());
            return;
        } catch (DiskException e) {
            failStorage(e);
            return;
        }
        complete();
    }

    // ---------------------------------------------------------------- parsing into the temp file

    private void accept(int n) throws IOException {
        lastActivityNanos = System.nanoTime();
        bytesReceived += n;
        if (bytesReceived > settings.maxUploadSize()) {
            throw new UploadRefusedException(ProblemType.UPLOAD_TOO_LARGE, tooLarge(settings.maxUploadSize()));
        }
        parser.feed(readBuffer, 0, n);
    }

    @Override
    public void partStarted(MultipartParser.PartHeaders headers) throws IOException {
        if (++parts > settings.maxParts()) {
            throw new UploadRefusedException(ProblemType.UPLOAD_TOO_LARGE, "The upload has more than "
                    + settings.maxParts() + " multipart parts; send only the field 'file'.");
        }
        if ("file".equals(headers.name())) {
            if (fileSeen) {
                throw new UploadRefusedException(ProblemType.BAD_REQUEST,
                        "The upload has more than one part named 'file'; send exactly one backup.");
            }
            fileSeen = true;
            inFilePart = true;
        }
    }

    @Override
    public void partData(byte[] data, int offset, int length) throws IOException {
        if (!inFilePart) {
            return; // other fields are read and discarded
        }
        ByteBuffer b = ByteBuffer.wrap(data, offset, length);
        try {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            throw new DiskException(e);
        }
        fileBytes += length;
    }

    @Override
    public void partEnded() {
        inFilePart = false;
    }

    /** Writing the temp file failed (disk full, permissions): a server-side problem. */
    private static final class DiskException extends IOException {
        private static final long serialVersionUID = 1L;

        DiskException(IOException cause) {
            super(cause);
        }
    }

    // ---------------------------------------------------------------- outcomes

    private void complete() {
        synchronized (this) {
            if (done) {
                return;
            }
            try {
                parser.finish();
                if (!fileSeen) {
                    throw new UploadRefusedException(ProblemType.BAD_REQUEST, "The upload has no part named 'file'; "
                            + "send the backup as the multipart field 'file' (curl -F file=@backup.tgz).");
                }
                if (fileBytes == 0) {
                    throw new UploadRefusedException(ProblemType.BAD_REQUEST, "The part 'file' is empty; send a "
                            + "backup archive.");
                }
                channel.close();
            } catch (UploadRefusedException e) {
                fail(e.problem(), e.getMessage());
                return;
            } catch (MultipartParser.MalformedMultipartException e) {
                fail(ProblemType.BAD_REQUEST, e.getMessage());
                return;
            } catch (IOException e) {
                failStorage(e);
                return;
            }
            Operation op;
            try {
                op = settings.engine().startRestore(RestoreSource.takingOwnership(tempFile));
                handedOver = true;
            } catch (OperationInProgressException e) {
                fail(ProblemType.OPERATION_IN_PROGRESS, EngineErrors.inProgress());
                return;
            } catch (KeepsakeException e) {
                LOG.warn("restore upload: the engine refused to start the restore ({}): {}", e.code(), e.getMessage());
                fail(EngineErrors.problemFor(e.code()), EngineErrors.detailFor(e.code(), "restore"));
                return;
            } catch (RuntimeException e) {
                String ref = EngineErrors.reference();
                LOG.error("restore upload: starting the restore failed (reference {})", ref, e);
                fail(ProblemType.INTERNAL_ERROR, "The restore could not be started because of an internal error; "
                        + "the server log has the details under reference " + ref + ".");
                return;
            }
            LOG.info("{} - restore started from an upload of {} bytes", op.id(), fileBytes);
            done = true;
            ObjectNode body = JSON.createObjectNode();
            body.put("operation", "restore");
            body.put("id", op.id());
            body.put("status", settings.statusLocation());
            body.put("uploadedBytes", fileBytes);
            body.put("message", "The upload is stored and the restore runs now; poll " + settings.statusLocation()
                    + " for its outcome.");
            try {
                Accepted.send(response, settings.statusLocation(), JSON.writeValueAsBytes(body));
            } catch (IOException e) {
                LOG.debug("{} - the client left before the 202 answer: {}", op.id(), e.toString());
            }
            end();
        }
    }

    private void failStorage(IOException e) {
        String ref = EngineErrors.reference();
        LOG.error("restore upload: cannot write the temp file (reference {})", ref, e);
        fail(ProblemType.INSUFFICIENT_STORAGE, "The server could not store the upload in its temporary directory "
                + "(disk full?); the upload was discarded. Reference " + ref + ".");
    }

    /** Answers with a problem (once), closes the connection, deletes the temp file. Callable from any thread. */
    void fail(ProblemType type, String detail) {
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            LOG.debug("restore upload refused ({}): {}", type.status(), detail);
            Closeables.closeQuietly(channel); // nothing to lose: deleted next, or closed before the engine took it
            deleteTemp();
            try {
                response.setHeader("Connection", "close");
                Problems.send(request, response, type, detail);
            } catch (IOException | IllegalStateException e) {
                LOG.debug("restore upload: could not send the {} answer: {}", type.status(), e.toString());
            }
            end();
        }
    }

    private void end() {
        if (watch != null) {
            watch.cancel(false);
        }
        if (async != null) {
            try {
                async.complete();
            } catch (IllegalStateException e) {
                LOG.debug("restore upload: async context already completed: {}", e.toString());
            }
        }
        settings.registry().remove(this);
    }

    /** Releases everything; deletes the temp file unless the engine owns it now. Idempotent; any thread. */
    void cleanUp() {
        synchronized (this) {
            done = true;
            if (watch != null) {
                watch.cancel(false);
            }
            Closeables.closeQuietly(channel); // nothing to lose: deleted next, or closed before the engine took it
            deleteTemp();
            settings.registry().remove(this);
        }
    }

    /** Aborts an upload in progress (servlet shutdown). */
    void abort() {
        fail(ProblemType.UNAVAILABLE, "The server is shutting down; the upload was discarded.");
        cleanUp();
    }

    private void deleteTemp() {
        if (handedOver) {
            return;
        }
        try {
            Files.deleteIfExists(tempFile);
        } catch (IOException e) {
            LOG.warn("restore upload: could not delete a temp file in the upload directory: {}", e.toString());
        }
    }
}
