package saelab.heads;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The split of a cache's images into training and held-out images: a seeded permutation of 0..n-1
 * (Fisher-Yates with {@link SplittableRandom}), the first {@code round(n × valFraction)} held out. A pure
 * function of (n, seed, fraction), so {@code head eval} on the training cache finds the same held-out images.
 *
 * @param train training image indices, ascending
 * @param val   held-out image indices, ascending
 */
public record HeadSplit(long[] train, long[] val) {

    /**
     * @throws IllegalArgumentException when the fraction is outside [0, 1) or leaves no training image
     */
    public static HeadSplit of(long n, long seed, double valFraction) {
        if (!(valFraction >= 0 && valFraction < 1)) {
            throw new IllegalArgumentException("--val-fraction must be in [0, 1), got " + valFraction);
        }
        int count = Math.toIntExact(n);
        long[] perm = new long[count];
        for (int i = 0; i < count; i++) {
            perm[i] = i;
        }
        shuffle(perm, new SplittableRandom(seed));
        int nVal = (int) Math.round(count * valFraction);
        if (count - nVal < 1) {
            throw new IllegalArgumentException("the cache has " + n + " images; --val-fraction " + valFraction
                    + " leaves none for training");
        }
        long[] val = Arrays.copyOfRange(perm, 0, nVal);
        long[] train = Arrays.copyOfRange(perm, nVal, count);
        Arrays.sort(val);
        Arrays.sort(train);
        return new HeadSplit(train, val);
    }

    /** Shuffles {@code a} in place (Fisher-Yates). */
    static void shuffle(long[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            long t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
