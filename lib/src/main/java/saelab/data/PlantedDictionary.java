package saelab.data;

import java.util.SplittableRandom;

/**
 * Synthetic activations with known features: {@code x = s · D + noise}, where the rows of
 * {@code D} ({@code atoms}, [nAtoms, d], unit norm, Gaussian directions) are the planted features and
 * {@code s} ([n, nAtoms]) is a sparse, non-negative code. This is the standard check of an SAE
 * trainer (Sharkey, Braun and Millidge, "Taking features out of superposition with sparse
 * autoencoders", 2022) and the data of the walkthrough's superposition lesson.
 *
 * <p>Sampling, per row: the number of active atoms is Poisson({@code meanActive}) clipped to
 * [1, nAtoms]; atoms are drawn without replacement with probability proportional to
 * {@code 1/(i + 10)} with {@link AtomFrequency#POWER_LAW} (features in real models follow a power law) or uniformly otherwise; magnitudes are Exponential(1) + 0.5; the
 * noise is Gaussian with standard deviation {@code noise}. Generation is deterministic given the seed
 * and independent of any tensor engine. The arrays are handed out as they are, not copied (they
 * go straight into NDArrays); treat them as read-only.
 *
 * @param d     dimension of the activations
 * @param nAtoms number of planted features
 * @param atoms  row-major [nAtoms, d], each row of unit L2 norm
 */
public record PlantedDictionary(int d, int nAtoms, float[] atoms) {

    /** Largest Poisson rate the sampler accepts (Knuth's method loses precision far beyond it). */
    public static final double MAX_MEAN_ACTIVE = 500;

    /** How often each atom fires relative to the others. */
    public enum AtomFrequency {
        /** Atom i fires with weight 1/(i+10) (features in real models follow a power law). */
        POWER_LAW,
        /** Every atom equally often. */
        UNIFORM
    }

    /** A drawn sample: activations {@code x} [n, d] and their true codes {@code codes} [n, nAtoms], row-major. */
    public record Sample(int n, float[] x, float[] codes) {}

    public PlantedDictionary {
        if (d <= 0 || nAtoms <= 0 || atoms.length != (long) d * nAtoms) {
            throw new IllegalArgumentException("atoms must hold nAtoms x d = " + nAtoms + " x " + d
                    + " values, got " + atoms.length);
        }
    }

    /** Draws {@code nAtoms} random unit directions in {@code d} dimensions. */
    public static PlantedDictionary random(int d, int nAtoms, long seed) {
        if (d <= 0 || nAtoms <= 0 || (long) d * nAtoms > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("need d > 0, nAtoms > 0 and d x nAtoms < 2^31 (one Java array), got d="
                    + d + ", nAtoms=" + nAtoms);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        float[] atoms = new float[d * nAtoms];
        for (int a = 0; a < nAtoms; a++) {
            double norm2 = 0;
            for (int j = 0; j < d; j++) {
                double v = rng.nextGaussian();
                atoms[a * d + j] = (float) v;
                norm2 += v * v;
            }
            float inv = (float) (1.0 / Math.sqrt(norm2));
            for (int j = 0; j < d; j++) {
                atoms[a * d + j] *= inv;
            }
        }
        return new PlantedDictionary(d, nAtoms, atoms);
    }

    /**
     * Draws {@code n} rows.
     *
     * @param meanActive mean number of active atoms per row (Poisson rate), > 0
     * @param frequency  how often each atom fires relative to the others
     * @param noise      standard deviation of the added Gaussian noise, >= 0
     */
    public Sample sample(int n, double meanActive, AtomFrequency frequency, double noise, long seed) {
        boolean powerLaw = frequency == AtomFrequency.POWER_LAW;
        if (n <= 0 || !(meanActive > 0) || meanActive > MAX_MEAN_ACTIVE || !(noise >= 0)) {
            throw new IllegalArgumentException("need n > 0, 0 < meanActive <= " + MAX_MEAN_ACTIVE
                    + ", noise >= 0; got n=" + n + ", meanActive=" + meanActive + ", noise=" + noise);
        }
        if ((long) n * Math.max(d, nAtoms) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("n x max(d, nAtoms) must be < 2^31 (one Java array), got n=" + n
                    + ", d=" + d + ", nAtoms=" + nAtoms + "; draw several smaller samples");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n * d];
        float[] codes = new float[n * nAtoms];
        double[] weight = new double[nAtoms];
        for (int row = 0; row < n; row++) {
            for (int a = 0; a < nAtoms; a++) {
                weight[a] = powerLaw ? 1.0 / (a + 10.0) : 1.0;
            }
            double total = powerLaw ? sum(weight) : nAtoms;
            int active = Math.max(1, Math.min(nAtoms, poisson(rng, meanActive)));
            for (int k = 0; k < active; k++) {
                int atom = drawWeighted(rng, weight, total);
                total -= weight[atom];
                weight[atom] = 0; // without replacement
                float mag = (float) (rng.nextExponential() + 0.5);
                codes[row * nAtoms + atom] = mag;
                for (int j = 0; j < d; j++) {
                    x[row * d + j] += mag * atoms[atom * d + j];
                }
            }
            if (noise > 0) {
                for (int j = 0; j < d; j++) {
                    x[row * d + j] += (float) (noise * rng.nextGaussian());
                }
            }
        }
        return new Sample(n, x, codes);
    }

    private static int drawWeighted(SplittableRandom rng, double[] weight, double total) {
        double u = rng.nextDouble() * total;
        int last = -1;
        for (int a = 0; a < weight.length; a++) {
            if (weight[a] > 0) {
                last = a;
                u -= weight[a];
                if (u < 0) {
                    return a;
                }
            }
        }
        return last; // rounding left u a hair above zero: take the last atom still available
    }

    /** Knuth's multiplication method; fine for the small rates used here. */
    private static int poisson(SplittableRandom rng, double lambda) {
        double limit = Math.exp(-lambda);
        double p = 1.0;
        int k = 0;
        do {
            k++;
            p *= rng.nextDouble();
        } while (p > limit);
        return k - 1;
    }


    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }
}
