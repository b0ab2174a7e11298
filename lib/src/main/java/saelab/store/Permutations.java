package saelab.store;

import java.util.SplittableRandom;

/**
 * Random permutations for the shuffled orders of training data (the rows of a matrix, the chunks of a
 * cache, the scenes of the toy world): the Fisher-Yates shuffle in Durstenfeld's form (Knuth, TAOCP
 * vol. 2, Algorithm P), so that a given generator state always gives the same order and a run can be
 * replayed for a resume.
 */
public final class Permutations {

    private Permutations() {}

    /**
     * {@code 0 .. n-1} in a uniformly random order: from the last position down, position {@code i} is
     * swapped with {@code rng.nextInt(i + 1)} (n - 1 draws from {@code rng}).
     */
    public static int[] shuffled(int n, SplittableRandom rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
