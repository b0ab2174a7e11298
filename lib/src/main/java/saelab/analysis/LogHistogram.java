package saelab.analysis;

/**
 * The fixed log-spaced bins of the per-latent value histograms: 10 bins per decade from 10^-4 to
 * 10^3 (70 bins; edges 10^(-4 + i/10), i = 0..70), plus an underflow bin (0, 10^-4) first and an
 * overflow bin [10^3, ∞) last: 72 bins in all. Only positive values are counted (a zero code is
 * "not firing"). Bin i (1..70) holds [edge[i-1], edge[i]).
 */
public final class LogHistogram {

    /** Decades covered: log10 of the lowest and highest finite edge. */
    public static final int LOW_EXP = -4;
    public static final int HIGH_EXP = 3;
    /** Bins per decade. */
    public static final int PER_DECADE = 10;
    /** Bins in all, under- and overflow included. */
    public static final int BINS = (HIGH_EXP - LOW_EXP) * PER_DECADE + 2;

    private LogHistogram() {}

    /** The 71 finite edges 10^-4 .. 10^3. */
    public static double[] edges() {
        double[] e = new double[BINS - 1];
        for (int i = 0; i < e.length; i++) {
            e[i] = Math.pow(10, LOW_EXP + (double) i / PER_DECADE);
        }
        return e;
    }

    /** The bin of a positive value. */
    public static int bin(float v) {
        double b = Math.floor((Math.log10(v) - LOW_EXP) * PER_DECADE);
        if (b < 0) {
            return 0;
        }
        return b >= BINS - 2 ? BINS - 1 : (int) b + 1;
    }
}
