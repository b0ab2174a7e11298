package saelab.analysis;

import java.util.Random;

/**
 * How many visual styles a latent's top examples span, against what its concept alone would give. For a latent whose
 * top examples carry the style labels {@code s_1..s_m} (each one of {@code S} styles):
 * <ul>
 *   <li>{@code distinct}: the number of different styles among them;</li>
 *   <li>{@code entropy}: the normalised Shannon entropy of their style distribution, {@code H = -Σ p_s ln p_s / ln S}
 *       with {@code p_s} the share of examples of style {@code s}: 0 when all are one style, 1 when they are spread
 *       evenly over all {@code S} styles;</li>
 *   <li>the null expectation of both: their mean over {@code draws} sets of {@code m} examples drawn at random, without
 *       replacement, from the examples of the latent's concept (the pool), so a latent is not credited for spanning
 *       styles merely because its concept occurs in every style; {@code excess = entropy - null entropy} is then about 0
 *       for a latent that ignores style (its top examples are as mixed as its concept) and negative for one that keeps to
 *       some styles.</li>
 * </ul>
 * This is the per-latent version of asking whether a feature "stays the same concept across visual styles"; the
 * entropy of the labels of a latent's top examples is the measure of the seed analysis's ultra-low-density view
 * ({@link LabelStatistics}), here on style labels and normalised by the number of styles. The draws are a Monte Carlo
 * estimate (a seeded {@link Random}, partial Fisher-Yates shuffles of the pool): written by hand, a few lines no
 * library offers in this form.
 */
public final class StyleSpan {

    /**
     * One latent's span.
     *
     * @param examples     top examples measured (m)
     * @param distinct     distinct styles among them
     * @param entropy      their normalised style entropy, in [0, 1]
     * @param nullDistinct mean distinct styles of m random examples of the concept
     * @param nullEntropy  mean normalised entropy of m random examples of the concept
     */
    public record Span(int examples, int distinct, double entropy, double nullDistinct, double nullEntropy) {
        /** {@code entropy - nullEntropy}: below 0 when the top examples keep to fewer styles than the concept has. */
        public double excess() {
            return entropy - nullEntropy;
        }
    }

    private StyleSpan() {}

    /**
     * The span of one latent.
     *
     * @param top    the style (0..styles-1) of each of its top examples (at least 1)
     * @param pool   the style of every example of its concept (at least {@code top.length})
     * @param styles the number of styles S (at least 2)
     * @param draws  random draws of the null (at least 1)
     * @param random the source of the draws
     * @throws IllegalArgumentException one sentence, for a style outside 0..S-1, too few styles, an empty list, a pool
     *                                  smaller than the top list or no draws
     */
    public static Span of(int[] top, int[] pool, int styles, int draws, Random random) {
        if (styles < 2) {
            throw new IllegalArgumentException("style span: " + styles + " styles; expected at least 2");
        }
        if (top.length == 0) {
            throw new IllegalArgumentException("style span: no top examples; expected at least one");
        }
        if (pool.length < top.length) {
            throw new IllegalArgumentException("style span: the concept has " + pool.length + " examples, fewer than the "
                    + top.length + " top examples; expected a pool at least as large");
        }
        if (draws < 1) {
            throw new IllegalArgumentException("style span: " + draws + " null draws; expected at least 1");
        }
        check(top, styles, "top example");
        check(pool, styles, "concept example");
        int[] counts = new int[styles];
        for (int s : top) {
            counts[s]++;
        }
        int distinct = distinct(counts);
        double entropy = entropy(counts, top.length);
        int[] shuffled = pool.clone();
        double sumDistinct = 0;
        double sumEntropy = 0;
        int m = top.length;
        for (int d = 0; d < draws; d++) {
            java.util.Arrays.fill(counts, 0);
            for (int i = 0; i < m; i++) { // the first m places of a Fisher-Yates shuffle are a uniform draw without replacement
                int j = i + random.nextInt(shuffled.length - i);
                int t = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = t;
                counts[shuffled[i]]++;
            }
            sumDistinct += distinct(counts);
            sumEntropy += entropy(counts, m);
        }
        return new Span(m, distinct, entropy, sumDistinct / draws, sumEntropy / draws);
    }

    /** The normalised entropy of a style histogram of {@code n} examples: {@code -Σ p ln p / ln S}, in [0, 1]. */
    public static double entropy(int[] counts, int n) {
        double h = 0;
        for (int c : counts) {
            if (c > 0) {
                double p = (double) c / n;
                h -= p * Math.log(p);
            }
        }
        return h / Math.log(counts.length);
    }

    private static int distinct(int[] counts) {
        int n = 0;
        for (int c : counts) {
            n += c > 0 ? 1 : 0;
        }
        return n;
    }

    private static void check(int[] styles, int s, String what) {
        for (int i = 0; i < styles.length; i++) {
            if (styles[i] < 0 || styles[i] >= s) {
                throw new IllegalArgumentException("style span: " + what + " " + i + " has style " + styles[i] + "; expected 0.."
                        + (s - 1));
            }
        }
    }
}
