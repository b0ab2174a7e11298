package saelab.toy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import saelab.data.ToyWorld;
import saelab.io.Safetensors;
import ai.djl.pytorch.jni.JniUtils;

/**
 * The same seed gives bit-identical initial weights, loss curves and trained weights (tiny size, a few steps,
 * repeated in one process); another seed gives another curve, so the comparison can fail. Two trainings running at
 * once on two threads (as a pipeline run with two jobs does) give the same curves and weights as one alone.
 */
class ToyDeterminismTest {

    private static final ToyWorld WORLD = ToyWorld.withSeed(9);
    private static final int STEPS = 8;

    @TempDir
    Path tmp;

    /** Losses of {@link #STEPS} steps, then the trained weights. */
    private record Run(double[] losses, Map<String, Safetensors.Tensor> initial, Map<String, Safetensors.Tensor> trained) {}

    private Run run(ToyBackboneSpec spec, String name) throws IOException {
        return run(spec, name, null);
    }

    private Run run(ToyBackboneSpec spec, String name, CyclicBarrier together) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        double[] losses = new double[STEPS];
        TorchThreads threads = TorchThreads.set(ToyBackboneTrainer.TORCH_THREADS);
        try (NDManager manager = NDManager.newBaseManager(); ToySetup setup = ToySetup.prepare(dir, spec, WORLD, manager);
             ToyTrainingLoop loop = new ToyTrainingLoop(setup.model(), setup.objective(), spec, manager)) {
            Map<String, Safetensors.Tensor> initial = setup.model().parameters().toTensors();
            for (int s = 0; s < STEPS; s++) {
                if (together != null) {
                    await(together); // every step of one training beside a step of the other
                }
                losses[s] = loop.step(s, setup.data().batch(loop.nextIndices()));
            }
            return new Run(losses, initial, setup.model().parameters().toTensors());
        } finally {
            threads.restore();
        }
    }

    private static void assertSameTensors(Map<String, Safetensors.Tensor> a, Map<String, Safetensors.Tensor> b, String what) {
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).values(), b.get(k).values(), what + " " + k);
        }
    }

    @ParameterizedTest
    @EnumSource(ToyBackboneKind.class)
    void sameSeedSameCurveAndWeights(ToyBackboneKind kind) throws IOException {
        ToyBackboneSpec spec = new ToyBackboneSpec(kind, 16, 1, 2, 64, 16, STEPS, 16, 3e-3, 4);
        Run a = run(spec, "a");
        Run b = run(spec, "b");
        assertArrayEquals(a.losses(), b.losses(), "loss curve of a same-seed rerun");
        assertSameTensors(a.initial(), b.initial(), "initial");
        assertSameTensors(a.trained(), b.trained(), "trained");
        Run c = run(spec.withSeed(5), "c");
        assertFalse(Arrays.equals(a.losses(), c.losses()), "another seed gives another curve");
        for (double l : a.losses()) {
            assertFalse(Double.isNaN(l));
        }
    }

    @ParameterizedTest
    @EnumSource(ToyBackboneKind.class)
    void twoTrainingsAtOnceMatchOneAlone(ToyBackboneKind kind) throws Exception {
        ToyBackboneSpec spec = new ToyBackboneSpec(kind, 16, 1, 2, 64, 16, STEPS, 16, 3e-3, 4);
        Run alone = run(spec, "alone");
        ToyBackboneSpec other = spec.withSeed(6);
        Run otherAlone = run(other, "other-alone");
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Run> a = pool.submit(() -> {
                JniUtils.setGradMode(false); // as the pipeline's workers start
                return run(spec, "a", together);
            });
            Future<Run> b = pool.submit(() -> {
                JniUtils.setGradMode(false);
                return run(other, "b", together);
            });
            Run ra = a.get();
            Run rb = b.get();
            assertArrayEquals(alone.losses(), ra.losses(), "loss curve beside another training");
            assertSameTensors(alone.trained(), ra.trained(), "trained beside another training");
            assertArrayEquals(otherAlone.losses(), rb.losses(), "the other's loss curve");
            assertSameTensors(otherAlone.trained(), rb.trained(), "the other's trained weights");
        } finally {
            pool.shutdown();
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
