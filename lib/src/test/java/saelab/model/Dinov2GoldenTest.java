package saelab.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import saelab.io.Safetensors;

/**
 * DINOv2 (transformers {@code Dinov2Model}) and DINOv2 with registers against the golden fixtures,
 * at the native size and with the position table resampled to 42x42, 70x70 and 42x70 pixels,
 * in each interpolation variant the fixtures record.
 */
class Dinov2GoldenTest {

    /** Runs every {@code pixel_values[_S]} input and compares every tensor of {@code outputs}; returns max |diff| per tensor. */
    static Map<String, Double> check(String fixture, String outputs, PosInterpolation mode) throws IOException {
        Map<String, Safetensors.Tensor> want = Golden.tensors(fixture, outputs);
        Map<String, Double> errs = new TreeMap<>();
        try (LoadedModel m = ModelLoader.load(Golden.dir(fixture), LoadOptions.defaults().withPosInterpolation(mode));
             NDManager nd = NDManager.newBaseManager();
             MappedSafetensors in = MappedSafetensors.open(Golden.dir(fixture).resolve("inputs.safetensors"))) {
            for (String name : in.entries().keySet()) {
                String prefix = "vision" + name.substring("pixel_values".length());
                try (NDManager scope = nd.newSubManager()) {
                    NDArray px = in.load(name, scope);
                    Set<Integer> all = IntStream.range(0, m.vision().depth()).boxed().collect(Collectors.toSet());
                    VisionOutput out = m.vision().forward(px, all);
                    errs.put(prefix + ".embeddings", Golden.assertClose(prefix + ".embeddings", want.get(prefix + ".embeddings"), out.embeddings()));
                    for (int l = 0; l < m.vision().depth(); l++) {
                        String k = prefix + ".block." + l;
                        errs.put(k, Golden.assertClose(k, want.get(k), out.blocks().get(l)));
                    }
                    errs.put(prefix + ".last_hidden_state",
                            Golden.assertClose(prefix + ".last_hidden_state", want.get(prefix + ".last_hidden_state"), out.lastHiddenState()));
                    errs.put(prefix + ".pooler_output",
                            Golden.assertClose(prefix + ".pooler_output", want.get(prefix + ".pooler_output"), out.pooled()));
                    long[] s = px.getShape().getShape();
                    String pk = prefix + ".position_embeddings_used";
                    errs.put(pk, Golden.assertClose(pk, want.get(pk), m.vision().positionEmbeddings((int) s[2], (int) s[3])));
                }
            }
        }
        assertEquals(want.size(), errs.size(), "every fixture tensor is compared");
        return errs;
    }

    static void report(String label, Map<String, Double> errs) {
        double max = errs.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        System.out.printf("%s: %d tensors, max |diff| %.3g%n", label, errs.size(), max);
    }

    @Test
    void sizeInterpolationMatchesTransformers445() throws IOException {
        report("dinov2 size (transformers 4.45.2)", check("dinov2", "outputs.safetensors", PosInterpolation.SIZE));
    }

    @Test
    void offsetInterpolationMatchesTransformers444() throws IOException {
        report("dinov2 offset (transformers 4.44.2)", check("dinov2", "outputs_transformers-4.44.2.safetensors", PosInterpolation.OFFSET));
    }

    @Test
    void theWrongVariantIsCaught() {
        // the variants differ by up to ~0.6 on the resampled inputs, far beyond the tolerance
        assertThrows(AssertionFailedError.class, () -> check("dinov2", "outputs.safetensors", PosInterpolation.OFFSET));
        assertThrows(AssertionFailedError.class, () -> check("dinov2_registers", "outputs.safetensors", PosInterpolation.SIZE));
    }

    @Test
    void registersWithAntialiasMatchTransformers448() throws IOException {
        report("dinov2_registers antialias", check("dinov2_registers", "outputs.safetensors", PosInterpolation.ANTIALIAS));
    }
}
