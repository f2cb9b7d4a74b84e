package dev.keepsake.core;

import java.util.Objects;

/**
 * "From version {@code from} on, backups made by versions older than {@code refusesOlderThan} are refused; the last
 * release able to restore them is {@code lastAbleToRestore}" (the last release before {@code from}). Built in three
 * steps that read as that sentence, so the three versions cannot be swapped or left out:
 *
 * <pre>{@code
 * RestoreBarrier.from("2.0.0").refusesOlderThan("1.5.0").lastAbleToRestore("1.9.9")
 * }</pre>
 *
 * Each step accepts a {@link Version} or its text ({@link Version#parse}). Each step is an immutable value and may be
 * reused. The barrier is immutable and thread-safe; equal when its three versions are.
 */
public final class RestoreBarrier {

    private final Version from;
    private final Version refusesOlderThan;
    private final Version lastAbleToRestore;

    private RestoreBarrier(Version from, Version refusesOlderThan, Version lastAbleToRestore) {
        this.from = from;
        this.refusesOlderThan = refusesOlderThan;
        this.lastAbleToRestore = lastAbleToRestore;
    }

    /**
     * Starts a barrier in force from {@code version} on: the first version whose database structure changed too much
     * to restore the oldest backups.
     *
     * @throws IllegalArgumentException naming the text when it is not a version
     */
    public static From from(String version) {
        return from(Version.parse(version));
    }

    /** Starts a barrier in force from {@code version} on; see {@link #from(String)}. */
    public static From from(Version version) {
        return new From(Objects.requireNonNull(version, "from"));
    }

    /**
     * The version given to {@link #from(Version)}: the first one that refuses the backups older than
     * {@link #refusesOlderThan()}. (Not named {@code from()}, so that {@code RestoreBarrier::from} stays unambiguous.)
     */
    public Version inForceFrom() {
        return from;
    }

    /** Backups made by versions older than this one are refused from {@link #inForceFrom()} on (not newer than it). */
    public Version refusesOlderThan() {
        return refusesOlderThan;
    }

    /** The last release before {@link #inForceFrom()}: it can still restore the refused backups. */
    public Version lastAbleToRestore() {
        return lastAbleToRestore;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RestoreBarrier b && from.equals(b.from) && refusesOlderThan.equals(b.refusesOlderThan)
                && lastAbleToRestore.equals(b.lastAbleToRestore);
    }

    @Override
    public int hashCode() {
        return Objects.hash(from, refusesOlderThan, lastAbleToRestore);
    }

    /** E.g. {@code RestoreBarrier[from 2.0.0 refuses backups older than 1.5.0; last able to restore them: 1.9.9]}. */
    @Override
    public String toString() {
        return "RestoreBarrier[from " + from + " refuses backups older than " + refusesOlderThan
                + "; last able to restore them: " + lastAbleToRestore + "]";
    }

    /** First step: the version the barrier is in force from. Immutable and thread-safe. */
    public static final class From {

        private final Version from;

        private From(Version from) {
            this.from = from;
        }

        /**
         * Backups made by versions older than {@code version} are refused.
         *
         * @throws IllegalArgumentException when it is not a version, or is newer than the barrier's {@code from}
         */
        public Refusing refusesOlderThan(String version) {
            return refusesOlderThan(Version.parse(version));
        }

        /** Backups made by versions older than {@code version} are refused; see {@link #refusesOlderThan(String)}. */
        public Refusing refusesOlderThan(Version version) {
            Objects.requireNonNull(version, "refusesOlderThan");
            if (version.isNewerThan(from)) {
                throw new IllegalArgumentException("restore barrier from " + from + ": refusesOlderThan(" + version
                        + ") is newer than " + from + ", but a version cannot refuse backups of itself or newer; use "
                        + from + " or an older version");
            }
            return new Refusing(from, version);
        }
    }

    /** Second step: the version and the oldest backup version it still accepts. Immutable and thread-safe. */
    public static final class Refusing {

        private final Version from;
        private final Version refusesOlderThan;

        private Refusing(Version from, Version refusesOlderThan) {
            this.from = from;
            this.refusesOlderThan = refusesOlderThan;
        }

        /**
         * The last release before the barrier's {@code from}, which can still restore the refused backups; completes
         * the barrier.
         *
         * @throws IllegalArgumentException when it is not a version, or is not older than the barrier's {@code from}
         */
        public RestoreBarrier lastAbleToRestore(String version) {
            return lastAbleToRestore(Version.parse(version));
        }

        /** Completes the barrier; see {@link #lastAbleToRestore(String)}. */
        public RestoreBarrier lastAbleToRestore(Version version) {
            Objects.requireNonNull(version, "lastAbleToRestore");
            if (!version.isOlderThan(from)) {
                throw new IllegalArgumentException("restore barrier from " + from + ": lastAbleToRestore(" + version
                        + ") must be a release older than " + from + " (the last one before it), since " + from
                        + " and later refuse the backups");
            }
            return new RestoreBarrier(from, refusesOlderThan, version);
        }
    }
}
