package saelab.lm.llava;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import saelab.model.Golden;
import saelab.model.MappedSafetensors;

/**
 * A LLaVA golden fixture ({@code llava_llama}: CLIP + Llama, {@code llava_qwen2}: SigLIP + Qwen2) loaded whole: the
 * model through {@link LlavaModel#load}, its inputs and outputs as arrays, and the team's comparison (atol 1e-4 +
 * rtol 1e-4 on floats, ids exactly).
 */
final class LlavaFixture implements AutoCloseable {

    final String name;
    final Path dir;
    final LlavaModel model;
    final NDManager nd = NDManager.newBaseManager();
    final Map<String, NDArray> inputs = new LinkedHashMap<>();
    final Map<String, NDArray> outputs = new LinkedHashMap<>();

    LlavaFixture(String name) throws IOException {
        this.name = name;
        this.dir = Golden.dir(name);
        this.model = LlavaModel.load(dir);
        read(dir.resolve("inputs.safetensors"), inputs, nd);
        read(dir.resolve("outputs.safetensors"), outputs, nd);
    }

    /** Every tensor of a safetensors file (floats as float32, ids as int64). */
    static void read(Path file, Map<String, NDArray> into, NDManager nd) throws IOException {
        try (MappedSafetensors f = MappedSafetensors.open(file)) {
            for (String n : f.entries().keySet()) {
                into.put(n, f.load(n, nd));
            }
        }
    }

    NDArray in(String n) {
        NDArray a = inputs.get(n);
        assertNotNull(a, name + "/inputs.safetensors has no tensor " + n);
        return a;
    }

    NDArray out(String n) {
        NDArray a = outputs.get(n);
        assertNotNull(a, name + "/outputs.safetensors has no tensor " + n);
        return a;
    }

    long[][] rows(String input) {
        long[] shape = in(input).getShape().getShape();
        long[] flat = in(input).toLongArray();
        long[][] r = new long[(int) shape[0]][(int) shape[1]];
        for (int b = 0; b < r.length; b++) {
            System.arraycopy(flat, b * r[b].length, r[b], 0, r[b].length);
        }
        return r;
    }

    /** Compares every value (or only those where {@code keep[flat]}); returns the largest |diff| ({@link Golden#assertClose}). */
    static double close(String label, NDArray expected, NDArray actual, boolean[] keep) {
        return Golden.assertClose(label, expected, actual, keep);
    }

    static double close(String label, NDArray expected, NDArray actual) {
        return close(label, expected, actual, null);
    }

    @Override
    public void close() {
        model.close();
        nd.close();
    }
}
