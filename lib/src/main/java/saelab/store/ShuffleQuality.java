package saelab.store;

import java.util.BitSet;

/**
 * How well a {@link ShuffledStream} mixes, measured on its plan (row ids only, nothing is read), against
 * what a perfect uniform shuffle of the epoch would give.
 *
 * <ul>
 *   <li><b>batch diversity</b>: distinct images per batch, divided by the expectation under a perfect
 *       shuffle. With N rows in the epoch, P rows per image and batch size B, an image is absent from
 *       a batch with probability C(N−P, B) / C(N, B) (hypergeometric), so the expected number of
 *       distinct images is images × (1 − that). 1.0 means as diverse as a perfect shuffle; a stream
 *       that read images in order would give about B / P / expected.</li>
 *   <li><b>neighbour rate</b>: the share of consecutive rows that come from the same image, divided by
 *       its expectation (P − 1) / (N − 1) under a perfect shuffle; 1.0 is ideal, larger means rows of
 *       one image cluster.</li>
 * </ul>
 *
 * @param batches          batches measured
 * @param batchDiversity   mean distinct images per batch / expected
 * @param neighbourRate    same-image consecutive rows / expected
 * @param distinctPerBatch mean distinct images per batch
 * @param expectedDistinct expected distinct images per batch under a perfect shuffle
 */
public record ShuffleQuality(int batches, double batchDiversity, double neighbourRate, double distinctPerBatch,
                             double expectedDistinct) {

    /**
     * Measures the first {@code batches} batches of the plan of {@code options}, as given (the
     * expectations assume sampling without replacement over all rows of the kind).
     */
    public static ShuffleQuality measure(ActivationCache cache, ShuffleOptions options, int batches) {
        ShufflePlan plan = new ShufflePlan(cache, options, null);
        int tpi = plan.tokensPerImage();
        long n = plan.samplesPerEpoch;
        long images = cache.nImages();
        double rowsPerImage = (double) n / images;
        int b = (int) Math.min(options.batchSize(), n);
        int count = (int) Math.max(1, Math.min(batches, n / b));
        BitSet seen = new BitSet((int) images);
        long distinctSum = 0;
        long same = 0;
        long pairs = 0;
        long prevImage = -1;
        for (int k = 0; k < count; k++) {
            seen.clear();
            for (int i = 0; i < b; i++) {
                long image = plan.next() / tpi;
                seen.set((int) image);
                if (prevImage >= 0) {
                    pairs++;
                    if (image == prevImage) {
                        same++;
                    }
                }
                prevImage = image;
            }
            distinctSum += seen.cardinality();
        }
        double expected = images * (1 - absentProbability(n, Math.round(rowsPerImage), b));
        double distinct = (double) distinctSum / count;
        double expectedSame = (rowsPerImage - 1) / (n - 1);
        double neighbour = expectedSame > 0 ? ((double) same / pairs) / expectedSame : Double.NaN;
        return new ShuffleQuality(count, distinct / expected, neighbour, distinct, expected);
    }

    /** C(n − p, b) / C(n, b) = Π_{i<p} (n − b − i) / (n − i), in log space. */
    static double absentProbability(long n, long p, long b) {
        if (b + p > n) {
            return 0;
        }
        double log = 0;
        for (long i = 0; i < p; i++) {
            log += Math.log((double) (n - b - i) / (n - i));
        }
        return Math.exp(log);
    }
}
