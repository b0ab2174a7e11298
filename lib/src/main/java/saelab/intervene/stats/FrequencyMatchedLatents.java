package saelab.intervene.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;
import saelab.analysis.AnalysisResult;

/**
 * The random-latent control: latents drawn at random among those whose firing frequency matches the target
 * latent's, so that "any latent that fires as often" is the null being ruled out (a rare latent's edit touches
 * fewer tokens than a common one's, so an unmatched random latent would be a weaker control). A candidate l
 * qualifies when it is alive (frequency &gt; 0), is not the target, and
 * <pre>  |log₁₀ f_l − log₁₀ f_target| ≤ tolerance</pre>
 * (tolerance in decades: 0.1 allows a factor 10^0.1 ≈ 1.26 either way). The frequency is the share of patch tokens
 * where the latent is positive, the {@code frequency} column of an analysis folder's {@code latents.csv}. Draws are
 * without replacement (a partial Fisher–Yates shuffle of the qualifying latents in id order, seeded with
 * {@link SplittableRandom}), so the same seed gives the same latents. Memory O(latents).
 */
public final class FrequencyMatchedLatents {

    /** The default tolerance, in decades of frequency. */
    public static final double DEFAULT_TOLERANCE = 0.1;

    private FrequencyMatchedLatents() {}

    /**
     * Draws from the latents of an analysis.
     *
     * @see #draw(int[], double[], int, double, int, long)
     */
    public static int[] draw(AnalysisResult analysis, int target, double tolerance, int draws, long seed) {
        return draw(analysis, target, tolerance, draws, seed, l -> false);
    }

    /**
     * Draws from the latents of an analysis, leaving out the latents {@code excluded} names (e.g. the latents of the
     * concepts under test, which would make the control an instance of the hypothesis).
     *
     * @see #draw(int[], double[], int, double, int, long, IntPredicate)
     */
    public static int[] draw(AnalysisResult analysis, int target, double tolerance, int draws, long seed, IntPredicate excluded) {
        int rows = analysis.rows();
        int[] latents = new int[rows];
        double[] frequency = new double[rows];
        for (int r = 0; r < rows; r++) {
            latents[r] = analysis.index().latents().get(r);
            frequency[r] = analysis.frequency(r);
        }
        return draw(latents, frequency, target, tolerance, draws, seed, excluded);
    }

    /**
     * Draws {@code draws} distinct latents matched on frequency to {@code target}.
     *
     * @see #draw(int[], double[], int, double, int, long, IntPredicate)
     */
    public static int[] draw(int[] latents, double[] frequency, int target, double tolerance, int draws, long seed) {
        return draw(latents, frequency, target, tolerance, draws, seed, l -> false);
    }

    /**
     * Draws {@code draws} distinct latents matched on frequency to {@code target}.
     *
     * @param latents   latent ids, distinct
     * @param frequency their firing frequencies (same order), in [0, 1]
     * @param target    the latent being controlled for; must be among {@code latents} and alive
     * @param tolerance the largest |Δ log₁₀ frequency| accepted, ≥ 0
     * @param draws     how many latents to draw, ≥ 1
     * @param seed      seed of the draw
     * @param excluded  latents never drawn (the same draws as without it when it excludes no candidate)
     * @return the drawn latent ids, in draw order
     * @throws IllegalArgumentException when the target is unknown or dead, or fewer than {@code draws} latents qualify
     */
    public static int[] draw(int[] latents, double[] frequency, int target, double tolerance, int draws, long seed, IntPredicate excluded) {
        if (latents.length != frequency.length) {
            throw new IllegalArgumentException("frequency matching needs one frequency per latent, got " + latents.length + " latents and "
                    + frequency.length + " frequencies");
        }
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("the frequency tolerance must be a finite number of decades of at least 0, got " + tolerance);
        }
        if (draws < 1) {
            throw new IllegalArgumentException("frequency matching needs at least one draw, got " + draws);
        }
        int targetRow = -1;
        for (int r = 0; r < latents.length; r++) {
            if (!(frequency[r] >= 0 && frequency[r] <= 1)) {
                throw new IllegalArgumentException("latent " + latents[r] + " has firing frequency " + frequency[r]
                        + "; expected a share in [0, 1]");
            }
            if (latents[r] == target) {
                targetRow = r;
            }
        }
        if (targetRow < 0) {
            throw new IllegalArgumentException("latent " + target + " has no firing frequency among the " + latents.length
                    + " analysed latents; analyse it before drawing frequency-matched controls");
        }
        double ft = frequency[targetRow];
        if (ft == 0) {
            throw new IllegalArgumentException("latent " + target + " never fired in the analysis, so no latent can be matched to its"
                    + " firing frequency");
        }
        double logTarget = Math.log10(ft);
        List<Integer> candidates = new ArrayList<>();
        for (int r = 0; r < latents.length; r++) {
            if (r != targetRow && latents[r] != target && frequency[r] > 0 && !excluded.test(latents[r])
                    && Math.abs(Math.log10(frequency[r]) - logTarget) <= tolerance) {
                candidates.add(latents[r]);
            }
        }
        if (candidates.size() < draws) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "only %d live latents%s fire within %.3g decades of latent %d's"
                    + " frequency %.3g, fewer than the %d draws asked for; widen the tolerance or draw fewer", candidates.size(),
                    excludedAny(latents, excluded) ? " outside the excluded ones" : "", tolerance, target, ft, draws));
        }
        int[] pool = candidates.stream().mapToInt(Integer::intValue).sorted().toArray();
        SplittableRandom rng = new SplittableRandom(seed);
        for (int k = 0; k < draws; k++) {
            int j = k + rng.nextInt(pool.length - k);
            int t = pool[k];
            pool[k] = pool[j];
            pool[j] = t;
        }
        int[] out = new int[draws];
        System.arraycopy(pool, 0, out, 0, draws);
        return out;
    }

    private static boolean excludedAny(int[] latents, IntPredicate excluded) {
        for (int l : latents) {
            if (excluded.test(l)) {
                return true;
            }
        }
        return false;
    }
}
