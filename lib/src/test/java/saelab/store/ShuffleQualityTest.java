package saelab.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Verbosity;

/** ShuffleQuality against a perfect shuffle (a reservoir as large as the epoch) and against no shuffle at all. */
class ShuffleQualityTest {

    /** 40 images x (CLS + 5x5 patches), d 8, f32: 1000 patch rows of 32 bytes, in shards of 16 images. */
    private static final int IMAGES = 40;
    private static final int PATCHES = 25;
    private static final int D = 8;
    private static final long ROW_BYTES = D * 4L;
    private static final long ROWS = (long) IMAGES * PATCHES;

    @TempDir
    static Path tmp;

    static Path dir;

    @BeforeAll
    static void writeCache() throws IOException {
        dir = tmp.resolve("cache");
        long bytesPerImage = (PATCHES + 1) * ROW_BYTES;
        SyntheticCache.write(dir, IMAGES, PATCHES + 1, D, StorageDtype.F32, 1, 0, 5, 16 * bytesPerImage, Verbosity.QUIET);
    }

    private static ShuffleOptions options(int batch, long reservoirBytes, long chunkBytes, long seed) {
        return ShuffleOptions.builder(0).batchSize(batch).reservoirBytes(reservoirBytes).chunkBytes(chunkBytes)
                .seed(seed).threads(1).build();
    }

    @Test
    void aReservoirAsLargeAsTheCacheShufflesLikeAPerfectShuffle() {
        try (ActivationCache c = ActivationCache.open(dir)) {
            double diversity = 0;
            double neighbours = 0;
            int seeds = 5;
            for (long seed = 1; seed <= seeds; seed++) {
                ShuffleQuality q = ShuffleQuality.measure(c, options(50, ROWS * ROW_BYTES, 4L << 20, seed), 20);
                assertEquals(20, q.batches());
                assertTrue(q.distinctPerBatch() <= 40 && q.distinctPerBatch() > 0, q.toString());
                diversity += q.batchDiversity();
                neighbours += q.neighbourRate();
            }
            diversity /= seeds;
            neighbours /= seeds;
            assertTrue(diversity > 0.9 && diversity < 1.1, "batch diversity " + diversity);
            assertTrue(neighbours > 0.5 && neighbours < 1.5, "neighbour rate " + neighbours);
        }
    }

    @Test
    void theExpectedDistinctCountFollowsTheHypergeometricFormula() {
        try (ActivationCache c = ActivationCache.open(dir)) {
            ShuffleQuality q = ShuffleQuality.measure(c, options(50, ROWS * ROW_BYTES, 4L << 20, 3), 10);
            double expected = IMAGES * (1 - exactAbsent(ROWS, PATCHES, 50));
            assertEquals(expected, q.expectedDistinct(), 1e-9);
            assertEquals(q.distinctPerBatch() / q.expectedDistinct(), q.batchDiversity(), 1e-12);
        }
    }

    @Test
    void aOneRowReservoirWithOneImageChunksHardlyMixes() {
        try (ActivationCache c = ActivationCache.open(dir)) {
            // a reservoir of one row passes the chunks through unchanged: 25 rows of one image, then the next image
            ShuffleQuality q = ShuffleQuality.measure(c, options(50, ROW_BYTES, PATCHES * ROW_BYTES, 7), 20);
            assertEquals(20, q.batches());
            assertEquals(2.0, q.distinctPerBatch(), 1e-12, "two whole images per batch of 50");
            assertTrue(q.batchDiversity() < 0.5, q.toString());
            // 40 images x 24 same-image neighbours among 999 pairs, against 24/999 under a perfect shuffle: 40 x
            assertTrue(q.neighbourRate() > 10, q.toString());
            assertEquals(40.0, q.neighbourRate(), 1e-9, q.toString());
        }
    }

    @Test
    void moreBatchesThanTheEpochHoldsAreCappedAtOneEpoch() {
        try (ActivationCache c = ActivationCache.open(dir)) {
            ShuffleQuality q = ShuffleQuality.measure(c, options(300, ROWS * ROW_BYTES, 4L << 20, 1), 100);
            assertEquals(3, q.batches(), "1000 rows hold three whole batches of 300");
            ShuffleQuality big = ShuffleQuality.measure(c, options(5000, ROWS * ROW_BYTES, 4L << 20, 1), 100);
            assertEquals(1, big.batches());
            // a batch of the whole epoch holds every image, as does the perfect shuffle
            assertEquals(IMAGES, big.distinctPerBatch(), 1e-12);
            assertEquals(1.0, big.batchDiversity(), 1e-9);
        }
    }

    @Test
    void theSameOptionsGiveTheSameMeasurement() {
        try (ActivationCache c = ActivationCache.open(dir)) {
            ShuffleOptions o = options(64, 200 * ROW_BYTES, 2 * PATCHES * ROW_BYTES, 9);
            assertEquals(ShuffleQuality.measure(c, o, 8), ShuffleQuality.measure(c, o, 8));
        }
    }

    // ---- absentProbability ----

    /** C(n - p, b) / C(n, b) with exact integers. */
    private static double exactAbsent(long n, long p, long b) {
        if (b > n - p) {
            return 0;
        }
        BigInteger num = binomial(n - p, b);
        BigInteger den = binomial(n, b);
        return new BigDecimal(num).divide(new BigDecimal(den), MathContext.DECIMAL128).doubleValue();
    }

    private static BigInteger binomial(long n, long k) {
        BigInteger r = BigInteger.ONE;
        for (long i = 0; i < k; i++) {
            r = r.multiply(BigInteger.valueOf(n - i)).divide(BigInteger.valueOf(i + 1));
        }
        return r;
    }

    @Test
    void absentProbabilityMatchesTheBinomialRatio() {
        // C(8,3)/C(10,3) = 56/120
        assertEquals(56.0 / 120.0, ShuffleQuality.absentProbability(10, 2, 3), 1e-12);
        // one row per image: the image is absent with probability (n - b) / n
        assertEquals(0.75, ShuffleQuality.absentProbability(20, 1, 5), 1e-12);
        // p = 0: nothing to miss
        assertEquals(1.0, ShuffleQuality.absentProbability(20, 0, 5), 1e-12);
        // b = 0: an empty batch misses everything
        assertEquals(1.0, ShuffleQuality.absentProbability(20, 4, 0), 1e-12);
        for (long n = 1; n <= 30; n++) {
            for (long p = 0; p <= n; p++) {
                for (long b = 0; b <= n; b++) {
                    double want = exactAbsent(n, p, b);
                    assertEquals(want, ShuffleQuality.absentProbability(n, p, b), 1e-12 + 1e-9 * want,
                            "n=" + n + " p=" + p + " b=" + b);
                }
            }
        }
        assertEquals(exactAbsent(1000, 25, 50), ShuffleQuality.absentProbability(1000, 25, 50), 1e-12);
    }

    @Test
    void absentProbabilityIsZeroWhenTheBatchCannotMissTheImage() {
        assertEquals(0.0, ShuffleQuality.absentProbability(10, 4, 7));
        assertEquals(0.0, ShuffleQuality.absentProbability(10, 10, 1));
        assertEquals(0.0, ShuffleQuality.absentProbability(5, 1, 5));
        // b + p = n: only the batch that is exactly the other rows misses the image
        assertEquals(1.0 / 210, ShuffleQuality.absentProbability(10, 4, 6), 1e-15);
    }
}
