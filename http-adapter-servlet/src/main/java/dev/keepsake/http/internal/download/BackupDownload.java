package dev.keepsake.http.internal.download;

import dev.keepsake.core.spi.BackupStore.StoredBackup;
import dev.keepsake.http.internal.problem.ProblemType;
import dev.keepsake.http.internal.problem.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Serves a stored backup for {@code GET}/{@code HEAD}: streamed from the store with a fixed 64 KiB buffer, with
 * {@code Content-Length}, {@code Content-Disposition}, a strong {@code ETag} (the archive's SHA-256),
 * {@code Last-Modified}, {@code Cache-Control: no-store}, {@code Accept-Ranges: bytes}, single-range {@code 206}
 * answers, {@code 416} for unsatisfiable ranges and {@code If-Range}. Stateless and thread-safe.
 */
public final class BackupDownload {

    private static final Logger LOG = LoggerFactory.getLogger(BackupDownload.class);
    private static final int BUFFER = 64 * 1024;

    private BackupDownload() {
    }

    /** Answers the request with {@code backup}. */
    public static void serve(HttpServletRequest req, HttpServletResponse resp, StoredBackup backup) throws IOException {
        boolean head = "HEAD".equals(req.getMethod());
        long size = backup.size();
        String etag = "\"" + backup.sha256() + "\"";
        Instant lastModified = backup.createdAt().truncatedTo(ChronoUnit.SECONDS);

        ByteRange range = ByteRange.parse(req.getHeader("Range"), size);
        if (range.kind() != ByteRange.Kind.WHOLE && !ifRangeHolds(req.getHeader("If-Range"), etag, lastModified)) {
            range = ByteRange.whole(size);
        }
        resp.setHeader("Accept-Ranges", "bytes");
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("ETag", etag);
        resp.setDateHeader("Last-Modified", lastModified.toEpochMilli());
        if (range.kind() == ByteRange.Kind.UNSATISFIABLE) {
            resp.setHeader("Content-Range", "bytes */" + size);
            Problems.send(req, resp, ProblemType.RANGE_NOT_SATISFIABLE, "The requested range is outside the backup of "
                    + size + " bytes; ask for bytes 0-" + (size - 1) + " at most.");
            return;
        }
        resp.setContentType(mediaType(backup.fileName()));
        resp.setHeader("Content-Disposition", contentDisposition(backup.fileName()));
        if (range.kind() == ByteRange.Kind.PARTIAL) {
            resp.setStatus(HttpServletResponse.SC_PARTIAL_CONTENT);
            resp.setHeader("Content-Range", "bytes " + range.first() + "-" + range.last() + "/" + size);
        } else {
            resp.setStatus(HttpServletResponse.SC_OK);
        }
        resp.setContentLengthLong(range.length());
        if (head) {
            resp.flushBuffer();
            return;
        }
        InputStream in;
        try {
            in = backup.open(range.first());
        } catch (NoSuchFileException e) {
            // retention removed it between latestBackup() and open(): a newer backup exists now
            resp.setHeader("Content-Range", null);
            resp.setHeader("Content-Disposition", null);
            resp.setHeader("ETag", null);
            Problems.send(req, resp, ProblemType.UNAVAILABLE,
                    "The backup was replaced by a newer one while the download started; repeat the request.");
            return;
        }
        long remaining = range.length();
        try (in) {
            OutputStream out = resp.getOutputStream();
            byte[] buf = new byte[BUFFER];
            while (remaining > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, remaining));
                if (n < 0) {
                    // The status line is already sent; the body shorter than Content-Length tells the client.
                    LOG.warn("{} - the store returned {} of {} bytes; the download was cut short", backup.id(),
                            range.length() - remaining, range.length());
                    return;
                }
                out.write(buf, 0, n);
                remaining -= n;
            }
            out.flush();
        } catch (IOException e) {
            // Typically the client went away (a download to be resumed with Range); nothing to answer any more.
            LOG.debug("{} - download ended early with {} bytes unsent: {}", backup.id(), remaining, e.toString());
        }
    }

    /** RFC 9110 §13.1.5: the range applies only if the validator still matches (strong comparison). */
    static boolean ifRangeHolds(String ifRange, String etag, Instant lastModified) {
        if (ifRange == null) {
            return true;
        }
        String v = ifRange.strip();
        if (v.startsWith("\"") || v.startsWith("W/")) {
            return v.equals(etag); // a weak tag never matches in If-Range
        }
        try {
            Instant date = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return date.equals(lastModified);
        } catch (DateTimeParseException e) {
            return false; // unreadable validator: send the whole representation
        }
    }

    /** {@code application/gzip} for {@code .tgz}/{@code .gz}, {@code application/zstd} for {@code .zst}. */
    static String mediaType(String fileName) {
        String f = fileName.toLowerCase(java.util.Locale.ROOT);
        if (f.endsWith(".zst")) {
            return "application/zstd";
        }
        if (f.endsWith(".tgz") || f.endsWith(".gz")) {
            return "application/gzip";
        }
        return "application/octet-stream";
    }

    /** {@code attachment; filename="…"} with a conservative ASCII file name. */
    static String contentDisposition(String fileName) {
        StringBuilder safe = new StringBuilder(fileName.length());
        for (char c : fileName.toCharArray()) {
            safe.append((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-' || c == '_' ? c : '_');
        }
        return "attachment; filename=\"" + safe + "\"";
    }

    /** The instant as an IMF-fixdate, for tests and logs. */
    static String httpDate(Instant t) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(t.atZone(ZoneOffset.UTC));
    }
}
