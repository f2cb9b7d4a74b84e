package dev.keepsake.benchmarks;

/**
 * One bar from the performance issue: Keepsake's median divided by a reference's median must not exceed
 * {@code limit}.
 *
 * @param label     what is compared, e.g. {@code backup / pg_dump -Fc}
 * @param keepsake  Keepsake's measurement
 * @param reference the reference measurement
 * @param limit     the highest acceptable ratio
 */
record Target(String label, Measurement keepsake, Measurement reference, double limit) {

    double ratio() {
        return keepsake.median() / reference.median();
    }

    boolean passed() {
        return ratio() <= limit;
    }
}
