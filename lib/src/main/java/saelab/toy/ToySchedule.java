package saelab.toy;

/**
 * The learning rate at each step: linear warmup from {@code peak / warmup} to {@code peak} over the first
 * {@code warmup} steps, then cosine decay to {@code floor * peak} at the last step (Loshchilov and Hutter,
 * "SGDR", ICLR 2017, one cycle without restarts; the schedule of CLIP, MAE and SimMIM). Steps are 0-based.
 *
 * @param peak   the largest rate
 * @param warmup warmup steps (at least 1)
 * @param total  all steps
 * @param floor  the final rate as a fraction of the peak
 */
record ToySchedule(double peak, int warmup, int total, double floor) {

    /** Warmup over 5% of the steps (at least one), decay to 1% of the peak. */
    static ToySchedule of(double peak, int total) {
        return new ToySchedule(peak, Math.max(1, total / 20), total, 0.01);
    }

    /** The rate of 0-based step {@code step}. */
    double at(int step) {
        if (step < warmup) {
            return peak * (step + 1) / warmup;
        }
        int span = Math.max(1, total - 1 - warmup);
        double progress = Math.min(1.0, (double) (step - warmup) / span);
        return peak * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
