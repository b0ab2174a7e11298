package saelab.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Arrays derived from an SAE's parameters (JumpReLU's exp(log θ), W_dec transposed in the dense gradients) are
 * made on the SAE's own manager unless the call scopes them; encoding and training steps must free them with
 * the caller's scope, or every call leaks native memory onto the SAE (JumpReLU: d_sae floats per call).
 */
class SaeNativeMemoryTest {

    private static int arraysOn(NDManager m) {
        return ((BaseNDManager) m).getManagedArrays().size();
    }

    @ParameterizedTest
    @EnumSource(SaeKind.class)
    void encodeAndTrainingStepsLeaveNothingOnTheSaesManager(SaeKind kind) {
        SaeConfig cfg = SaeConfig.builder(kind, 8, 32).l1(1e-3).k(4).lr(1e-3).batchSize(16).steps(10).seed(1).build();
        try (NDManager nd = NDManager.newBaseManager(); Sae sae = Sae.initialise(cfg, nd)) {
            NDManager own = sae.params().getFirst().getManager();
            int before = arraysOn(own);
            for (int i = 0; i < 5; i++) {
                try (NDManager scope = nd.newSubManager()) {
                    NDArray x = scope.randomNormal(new Shape(16, 8));
                    sae.encode(x);
                    sae.forwardBackward(x, 1e-3, null);
                }
            }
            assertEquals(before, arraysOn(own), "arrays left on the SAE's manager after 5 encodes and 5 training steps");
        }
    }
}
