package saelab.lm;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import saelab.model.Checkpoint;
import saelab.model.ConfigFile;
import saelab.model.Golden;
import saelab.model.MappedSafetensors;

/**
 * The text side of a LLaVA golden fixture ({@code llava_llama}, {@code llava_qwen2}): its decoder built from
 * {@code text_config} and the {@code language_model.*} tensors, its inputs and outputs as arrays, and the
 * team's comparison (atol 1e-4 + rtol 1e-4, ids exactly).
 */
final class LlavaTextFixture implements AutoCloseable {

    final String name;
    final Path dir;
    final DecoderLm lm;
    final long imageTokenId;
    final NDManager nd = NDManager.newBaseManager();
    final Map<String, NDArray> inputs = new LinkedHashMap<>();
    final Map<String, NDArray> outputs = new LinkedHashMap<>();

    LlavaTextFixture(String name) throws IOException {
        this.name = name;
        this.dir = Golden.dir(name);
        ConfigFile config = ConfigFile.read(dir.resolve("config.json"));
        this.imageTokenId = config.requiredInteger("image_token_index");
        LmConfig cfg = LmConfig.of(config.section("text_config"), "llama");
        try (Checkpoint ckpt = Checkpoint.single(dir.resolve("model.safetensors"))) {
            this.lm = DecoderLm.fromCheckpoint(cfg, ckpt, "language_model.model.", "language_model.lm_head.weight");
        }
        read("inputs.safetensors", inputs);
        read("outputs.safetensors", outputs);
    }

    private void read(String file, Map<String, NDArray> into) throws IOException {
        try (MappedSafetensors f = MappedSafetensors.open(dir.resolve(file))) {
            for (String n : f.entries().keySet()) {
                into.put(n, f.load(n, nd));
            }
        }
    }

    NDArray in(String n) {
        return assertPresent(inputs.get(n), "inputs.safetensors", n);
    }

    NDArray out(String n) {
        return assertPresent(outputs.get(n), "outputs.safetensors", n);
    }

    private NDArray assertPresent(NDArray a, String file, String n) {
        assertNotNull(a, name + "/" + file + " has no tensor " + n);
        return a;
    }

    long[][] rows(String input) {
        return PaddedBatch.rows(in(input), input);
    }

    /** Compares every value (or only those where {@code keep[flat]}); returns the largest |diff| ({@link Golden#assertClose}). */
    static double close(String label, NDArray expected, NDArray actual, boolean[] keep) {
        return Golden.assertClose(label, expected, actual, keep);
    }

    static double close(String label, NDArray expected, NDArray actual) {
        return close(label, expected, actual, null);
    }

    /** The embeddings of {@code ids} with {@code features} merged at the image tokens. */
    NDArray merged(String ids, NDArray features) {
        try (NDArray tokens = lm.embed(in(ids))) {
            return ImageTokenMerge.merge(tokens, rows(ids), imageTokenId, features);
        }
    }

    @Override
    public void close() {
        lm.close();
        nd.close();
    }
}
