package dev.keepsake.http.internal.upload;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The uploads in progress of one servlet, so that shutting it down discards them. Thread-safe. */
public final class UploadRegistry {

    private final Set<RestoreUpload> active = ConcurrentHashMap.newKeySet();

    void add(RestoreUpload upload) {
        active.add(upload);
    }

    void remove(RestoreUpload upload) {
        active.remove(upload);
    }

    /** Number of uploads in progress. */
    public int size() {
        return active.size();
    }

    /** Discards every upload in progress (answers 503 where still possible, deletes the temp files). */
    public void abortAll() {
        for (RestoreUpload u : List.copyOf(active)) {
            u.abort();
        }
    }
}
