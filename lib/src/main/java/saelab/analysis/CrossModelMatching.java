package saelab.analysis;

import java.util.Arrays;

/**
 * Latents of two SAEs (on two models, or two runs) matched by their activations on the same images: for every pair
 * (a, b) the Pearson correlation of a's and b's codes over shared units, zeros included, and for every latent its best
 * match on the other side. This is the activation-correlation comparison used to ask whether features are universal
 * across models (Bricken et al. 2023, "Towards Monosemanticity", the universality section; Lan et al. 2024,
 * arXiv:2410.06981, compare SAE features across models the same way, by paired activations on shared inputs).
 *
 * <p>Units: {@link Unit#PATCH} pairs the same patch of the same image (both models must share the patch grid, as the
 * toy backbones do); {@link Unit#IMAGE} pairs images, a latent's value on an image being its maximum over the image's
 * patches (models with different grids). A latent that never fires on the units has no defined correlation: its best
 * match is reported as −1 with r NaN, and it is counted as dead, not as unmatched.
 *
 * <p>Cost: one pass over the units; per unit the outer product of the two sparse code vectors (k_a · k_b updates for
 * TopK SAEs), and a dense [d_a, d_b] table of co-moment sums in doubles (8 · d_a · d_b bytes: 2 MB for 512 × 512,
 * 4.8 GB for 24,576 × 24,576), which is refused above {@link Options#maxTableBytes()} with a sentence naming the
 * sizes. Sums are accumulated in double precision; the correlation uses the one-pass formula
 * (n·Σxy − Σx·Σy) / sqrt((n·Σx² − (Σx)²)(n·Σy² − (Σy)²)), adequate here because codes are non-negative and bounded.
 */
public final class CrossModelMatching {

    /** What a pair of activations is measured on. */
    public enum Unit {
        /** The same patch of the same image. */
        PATCH,
        /** The same image; a latent's value is its maximum over the image's patches. */
        IMAGE
    }

    /** Codes of one model's patch tokens, image by image (an adapter over {@link SparseCodes}, or arrays in tests). */
    public interface PatchCodes {
        /** Images. */
        long images();

        /** Patches per image. */
        int patches();

        /** Latents (columns). */
        int dSae();

        /** The codes of one patch (latents ascending, values positive). */
        SparseCodes.Codes codes(long image, int patch);

        /** The patch tokens of a {@link SparseCodes} folder (CLS rows skipped). */
        static PatchCodes of(SparseCodes c) {
            SparseCodes.Index ix = c.index();
            int patches = ix.gridH() * ix.gridW();
            return new PatchCodes() {
                @Override
                public long images() {
                    return ix.nImages();
                }

                @Override
                public int patches() {
                    return patches;
                }

                @Override
                public int dSae() {
                    return ix.dSae();
                }

                @Override
                public SparseCodes.Codes codes(long image, int patch) {
                    return c.codes(c.patchRow(image, patch));
                }
            };
        }
    }

    /**
     * Settings.
     *
     * @param unit          what is paired
     * @param maxTableBytes largest co-moment table accepted (8 · d_a · d_b bytes)
     */
    public record Options(Unit unit, long maxTableBytes) {
        public Options {
            if (unit == null || maxTableBytes < 1) {
                throw new IllegalArgumentException("cross-model matching needs a unit and a positive table limit; got " + unit + ", "
                        + maxTableBytes);
            }
        }

        /** Patch units, tables up to 1 GiB (d_a · d_b up to 134 million pairs). */
        public static Options patches() {
            return new Options(Unit.PATCH, 1L << 30);
        }
    }

    /**
     * The correlations.
     *
     * @param units units measured
     * @param dA    latents of A
     * @param dB    latents of B
     * @param r     [dA · dB] row-major Pearson correlations (NaN where either latent never fired)
     * @param firesA per latent of A, units where it fired
     * @param firesB per latent of B, units where it fired
     */
    public record Result(long units, int dA, int dB, float[] r, long[] firesA, long[] firesB) {

        /** The correlation of latent a of A with latent b of B. */
        public double r(int a, int b) {
            return r[a * dB + b];
        }

        /** A's latent {@code a}: its best match in B (−1 when it never fired or B has no live latent) and that correlation. */
        public Match bestForA(int a) {
            return best(a, a * dB, 1, dB);
        }

        /** B's latent {@code b}: its best match in A. */
        public Match bestForB(int b) {
            return best(b, b, dB, dA);
        }

        /** The best and runner-up of the {@code n} correlations {@code r[from + i · step]} of latent {@code self}. */
        private Match best(int self, int from, int step, int n) {
            int best = -1;
            double br = Double.NEGATIVE_INFINITY;
            double second = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                double v = r[from + i * step];
                if (v > br) {
                    second = br;
                    br = v;
                    best = i;
                } else if (v > second) {
                    second = v;
                }
            }
            return best < 0 ? new Match(self, -1, Double.NaN, Double.NaN) : new Match(self, best, br, second);
        }

        /** Whether a and b are each other's best match. */
        public boolean mutual(int a, int b) {
            return bestForA(a).other() == b && bestForB(b).other() == a;
        }

        /**
         * The share of A's live latents (fired at least once) whose best correlation with any latent of B is below
         * {@code threshold}: latents "without a counterpart" in B at that threshold.
         */
        public double unmatchedShareOfA(double threshold) {
            long live = 0;
            long unmatched = 0;
            for (int a = 0; a < dA; a++) {
                if (firesA[a] == 0) {
                    continue;
                }
                live++;
                Match m = bestForA(a);
                if (!(m.r() >= threshold)) {
                    unmatched++;
                }
            }
            return live == 0 ? Double.NaN : (double) unmatched / live;
        }
    }

    /**
     * A latent's best match on the other side.
     *
     * @param latent the latent
     * @param other  its best match on the other side, or −1
     * @param r      their correlation (NaN without a match)
     * @param second the correlation of the second-best match (how clear the best one is)
     */
    public record Match(int latent, int other, double r, double second) {}

    private CrossModelMatching() {}

    /**
     * Measures the correlations of every pair.
     *
     * @throws IllegalArgumentException when the two sources do not cover the same images (and grids, for patch units), or
     *                                  the table would exceed the limit
     */
    public static Result measure(PatchCodes a, PatchCodes b, Options o) {
        if (a.images() != b.images()) {
            throw new IllegalArgumentException("the two models' codes cover " + a.images() + " and " + b.images()
                    + " images; cross-model matching needs the same images in the same order");
        }
        if (o.unit() == Unit.PATCH && a.patches() != b.patches()) {
            throw new IllegalArgumentException("the two models have " + a.patches() + " and " + b.patches()
                    + " patches per image; patch units need the same grid (use image units for different grids)");
        }
        int dA = a.dSae();
        int dB = b.dSae();
        long bytes = 8L * dA * dB;
        if (bytes > o.maxTableBytes()) {
            throw new IllegalArgumentException("matching " + dA + " x " + dB + " latents needs a " + (bytes >> 20) + " MiB table; the limit is "
                    + (o.maxTableBytes() >> 20) + " MiB (match a subset of latents, or raise the limit)");
        }
        double[] sa = new double[dA];
        double[] saa = new double[dA];
        double[] sb = new double[dB];
        double[] sbb = new double[dB];
        double[] sab = new double[dA * dB];
        long[] firesA = new long[dA];
        long[] firesB = new long[dB];
        long units = 0;
        float[] maxA = o.unit() == Unit.IMAGE ? new float[dA] : null;
        float[] maxB = o.unit() == Unit.IMAGE ? new float[dB] : null;
        for (long image = 0; image < a.images(); image++) {
            if (o.unit() == Unit.PATCH) {
                for (int p = 0; p < a.patches(); p++) {
                    accumulate(a.codes(image, p), b.codes(image, p), dB, sa, saa, sb, sbb, sab, firesA, firesB);
                    units++;
                }
            } else {
                accumulate(imageMax(a, image, maxA), imageMax(b, image, maxB), dB, sa, saa, sb, sbb, sab, firesA, firesB);
                units++;
            }
        }
        float[] r = new float[dA * dB];
        double n = units;
        for (int i = 0; i < dA; i++) {
            double va = n * saa[i] - sa[i] * sa[i];
            for (int j = 0; j < dB; j++) {
                double vb = n * sbb[j] - sb[j] * sb[j];
                double cov = n * sab[i * dB + j] - sa[i] * sb[j];
                r[i * dB + j] = va > 0 && vb > 0 ? (float) (cov / Math.sqrt(va * vb)) : Float.NaN;
            }
        }
        return new Result(units, dA, dB, r, firesA, firesB);
    }

    private static void accumulate(SparseCodes.Codes x, SparseCodes.Codes y, int dB, double[] sa, double[] saa, double[] sb,
                                   double[] sbb, double[] sab, long[] firesA, long[] firesB) {
        int[] xi = x.latents();
        float[] xv = x.values();
        int[] yi = y.latents();
        float[] yv = y.values();
        for (int k = 0; k < xi.length; k++) {
            double v = xv[k];
            sa[xi[k]] += v;
            saa[xi[k]] += v * v;
            firesA[xi[k]]++;
            int row = xi[k] * dB;
            for (int m = 0; m < yi.length; m++) {
                sab[row + yi[m]] += v * yv[m];
            }
        }
        for (int m = 0; m < yi.length; m++) {
            double v = yv[m];
            sb[yi[m]] += v;
            sbb[yi[m]] += v * v;
            firesB[yi[m]]++;
        }
    }

    /** A latent's maximum over an image's patches, as sparse codes (latents ascending). */
    private static SparseCodes.Codes imageMax(PatchCodes c, long image, float[] scratch) {
        Arrays.fill(scratch, 0f);
        for (int p = 0; p < c.patches(); p++) {
            SparseCodes.Codes x = c.codes(image, p);
            for (int k = 0; k < x.latents().length; k++) {
                scratch[x.latents()[k]] = Math.max(scratch[x.latents()[k]], x.values()[k]);
            }
        }
        int n = 0;
        for (float v : scratch) {
            n += v > 0 ? 1 : 0;
        }
        int[] ids = new int[n];
        float[] vals = new float[n];
        int at = 0;
        for (int l = 0; l < scratch.length; l++) {
            if (scratch[l] > 0) {
                ids[at] = l;
                vals[at++] = scratch[l];
            }
        }
        return new SparseCodes.Codes(ids, vals);
    }
}
