package saelab.sae;

import java.util.SplittableRandom;
import saelab.io.Npy;
import saelab.store.Permutations;

/**
 * Rows of an in-memory matrix (e.g. a {@code .npy} file), each epoch in a fresh random order
 * (Fisher-Yates with a generator seeded from (seed, epoch)), so every row is used once per epoch
 * and the order at any sample count can be rebuilt for a resume.
 */
public final class MatrixBatches implements BatchSource {

    private final Npy.Matrix x;
    private final long seed;
    private final String what;
    private int[] order;
    private long epoch = -1;
    private int pos;

    /**
     * @param startSample rows already consumed (to resume)
     * @param what        what the rows are, for provenance
     */
    public MatrixBatches(Npy.Matrix x, long seed, long startSample, String what) {
        if (x.rows() == 0) {
            throw new IllegalArgumentException(what + " has no rows");
        }
        this.x = x;
        this.seed = seed;
        this.what = what;
        startEpoch(startSample / x.rows());
        pos = (int) (startSample % x.rows());
    }

    private void startEpoch(long e) {
        epoch = e;
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + e);
        order = Permutations.shuffled(x.rows(), rng);
        pos = 0;
    }

    @Override
    public int dModel() {
        return x.cols();
    }

    @Override
    public void next(float[] dst, int rows) {
        int d = x.cols();
        for (int r = 0; r < rows; r++) {
            if (pos == order.length) {
                startEpoch(epoch + 1);
            }
            System.arraycopy(x.values(), order[pos++] * d, dst, r * d, d);
        }
    }

    @Override
    public String describe() {
        return what;
    }
}
