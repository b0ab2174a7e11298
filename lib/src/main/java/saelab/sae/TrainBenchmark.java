package saelab.sae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Times SAE training steps on random data, doing per step what {@link SaeTrainer} does (normalise
 * the decoder, forward and backward, remove the parallel gradient, Adam), to compare with the
 * same training step timed in PyTorch on the same machine.
 */
public final class TrainBenchmark {

    private TrainBenchmark() {}

    /**
     * Runs {@code cfg.steps()} steps and returns the seconds taken by all but the first {@code warmup}.
     *
     * @param math which gradient implementation the steps use
     */
    public static double run(SaeConfig cfg, int warmup, GradientMath math) {
        SplittableRandom rng = new SplittableRandom(0);
        int b = cfg.batchSize();
        int d = cfg.dModel();
        try (NDManager nd = NDManager.newBaseManager(); Sae sae = Sae.initialise(cfg, nd); Adam adam = new Adam(sae.params(), nd)) {
            sae.useDenseMath(math == GradientMath.DENSE);
            NDArray[] data = new NDArray[4];
            for (int i = 0; i < data.length; i++) {
                float[] v = new float[b * d];
                for (int j = 0; j < v.length; j++) {
                    v[j] = (float) rng.nextGaussian();
                }
                data[i] = nd.create(v, new Shape(b, d));
            }
            long start = 0;
            for (long step = 0; step < cfg.steps(); step++) {
                if (step == warmup) {
                    start = System.nanoTime();
                }
                sae.normalizeDecoder();
                sae.forwardBackward(data[(int) (step % data.length)], cfg.l1At(step));
                sae.removeParallelGradient();
                adam.step(sae.params(), sae.gradients(), cfg.lrAt(step));
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }
}
