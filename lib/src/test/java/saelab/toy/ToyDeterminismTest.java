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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import saelab.data.ToyWorld;
import saelab.io.Safetensors;

/**
 * The same seed gives bit-identical initial weights, loss curves and trained weights (tiny size, a few steps,
 * repeated in one process); another seed gives another curve, so the comparison can fail.
 */
class ToyDeterminismTest {

    private static final ToyWorld WORLD = ToyWorld.withSeed(9);
    private static final int STEPS = 8;

    @TempDir
    Path tmp;

    /** Losses of {@link #STEPS} steps, then the trained weights. */
    private record Run(double[] losses, Map<String, Safetensors.Tensor> initial, Map<String, Safetensors.Tensor> trained) {}

    private Run run(ToyBackboneSpec spec, String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        double[] losses = new double[STEPS];
        TorchThreads threads = TorchThreads.set(ToyBackboneTrainer.TORCH_THREADS);
        try (NDManager manager = NDManager.newBaseManager(); ToySetup setup = ToySetup.prepare(dir, spec, WORLD, manager);
             ToyTrainingLoop loop = new ToyTrainingLoop(setup.model(), setup.objective(), spec, manager)) {
            Map<String, Safetensors.Tensor> initial = setup.model().parameters().toTensors();
            for (int s = 0; s < STEPS; s++) {
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
}
