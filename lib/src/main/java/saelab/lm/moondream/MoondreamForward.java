package saelab.lm.moondream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import saelab.BuildInfo;
import saelab.io.Json;
import saelab.io.Safetensors;
import saelab.io.SafetensorsFile;
import saelab.io.Sha256;
import saelab.model.MappedSafetensors;

/**
 * Runs a {@link MoondreamModel} over the tensors of an inputs file and writes its activations under the names of the
 * moondream golden fixture, so that a run on the fixture's {@code inputs.safetensors} gives every tensor of its
 * {@code outputs.safetensors} (one loop compares them); what {@code saelab forward} does with a moondream folder.
 *
 * <p>Inputs: {@code crops} {@code [N, 3, S, S]} (normalised, the global crop first), {@code tiling} {@code [2]} (tile
 * rows and columns), {@code prompt_ids} {@code [1, T]} (the query template with the question), and optionally
 * {@code prompt_pos_ids} {@code [T]} (checked to continue after the image prefix) and {@code crops_uint8} (ignored: the
 * crops before normalisation).
 *
 * <p>Outputs: {@code vision.encoder_out}, {@code vision.reconstructed}, {@code vision.image_embeds},
 * {@code text.prefix.block.{i}}, {@code text.prompt.inputs_embeds}, {@code text.prompt.block.{i}},
 * {@code text.prompt.last_logits}; with {@code generateTokens} &gt; 0 the greedy answer of the reference's
 * {@code _generate_answer} ({@code generate.new_ids} int64, {@code generate.step_logits} one row more than the ids:
 * the prompt's last logits first). Written atomically; held in memory until then, so this is for test-sized inputs.
 */
public final class MoondreamForward {

    private static final Set<String> INPUTS = new LinkedHashSet<>(List.of("crops", "tiling", "prompt_ids", "prompt_pos_ids", "crops_uint8"));

    private MoondreamForward() {}

    /** Whether {@code folder}'s config.json is moondream's ({@code vision}, {@code text} and {@code tokenizer} sections). */
    public static boolean isMoondreamFolder(Path folder) {
        Path config = folder.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            return false;
        }
        try {
            JsonNode c = Json.mapper().readTree(config.toFile());
            return c.path("vision").isObject() && c.path("text").isObject() && c.path("tokenizer").isObject() && !c.has("model_type");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Runs {@code m} on {@code inputs} and writes {@code out}.
     *
     * @param generateTokens new tokens to generate greedily, 0 for none
     * @return the names written
     * @throws IllegalArgumentException for a missing or unknown input, a wrong dtype or shape (one sentence each)
     */
    public static Set<String> run(MoondreamModel m, Path inputs, Path out, int generateTokens) throws IOException {
        if (generateTokens < 0) {
            throw new IllegalArgumentException("--generate is " + generateTokens + "; expected 0 or more new tokens");
        }
        Map<String, Safetensors.Tensor> floats = new LinkedHashMap<>();
        Map<String, Safetensors.LongTensor> ids = new LinkedHashMap<>();
        MoondreamText text = m.text();
        try (NDManager nd = NDManager.newBaseManager(text.device()); MappedSafetensors in = MappedSafetensors.open(inputs)) {
            for (String name : in.entries().keySet()) {
                if (!INPUTS.contains(name)) {
                    throw new IllegalArgumentException(inputs + ": tensor '" + name + "' is not an input of a moondream model; expected "
                            + String.join(", ", INPUTS));
                }
            }
            NDArray crops = require(in, inputs, "crops", nd, false);
            long[] tiling = require(in, inputs, "tiling", nd, true).toType(DataType.INT64, false).toLongArray();
            if (tiling.length != 2) {
                throw new IllegalArgumentException(inputs + ": tensor 'tiling' has " + tiling.length + " values; expected 2 (tile rows, columns)");
            }
            NDArray promptNd = require(in, inputs, "prompt_ids", nd, true);
            long[] prompt = promptNd.toType(DataType.INT64, false).toLongArray();
            if (promptNd.getShape().dimension() != 2 || promptNd.getShape().get(0) != 1) {
                throw new IllegalArgumentException(inputs + ": tensor 'prompt_ids' has shape " + promptNd.getShape() + "; expected [1, tokens]");
            }
            if (in.has("prompt_pos_ids")) {
                long[] pos = require(in, inputs, "prompt_pos_ids", nd, true).toType(DataType.INT64, false).toLongArray();
                for (int i = 0; i < pos.length; i++) {
                    if (pos.length != prompt.length || pos[i] != text.prefixLength() + i) {
                        throw new IllegalArgumentException(inputs + ": tensor 'prompt_pos_ids' is not " + text.prefixLength() + ".."
                                + (text.prefixLength() + prompt.length - 1) + "; the prompt follows the " + text.prefixLength()
                                + "-token image prefix");
                    }
                }
            }
            NDArray encoderOut = m.vision().encode(crops);
            put(floats, "vision.encoder_out", encoderOut);
            MoondreamImageFeatures features = m.vision().stitch(encoderOut, new CropTiling((int) tiling[0], (int) tiling[1]));
            put(floats, "vision.reconstructed", features.reconstructed());
            NDArray embeds = m.vision().project(features.projectionInput());
            put(floats, "vision.image_embeds", embeds);
            long tokens = text.prefixLength() - 1L;
            NDArray prefix = NDArrays.concat(new NDList(text.embed(new long[] {m.tokenizer().bosId()}, nd),
                    embeds.reshape(1, tokens, text.config().dim())), 1);
            int capacity = text.config().maxContext();
            try (MoondreamKvCache cache = text.newCache(capacity, nd)) {
                MoondreamText.Output p = text.forward(prefix, cache, true);
                for (int i = 0; i < p.blocks().size(); i++) {
                    put(floats, "text.prefix.block." + i, p.blocks().get(i));
                }
                try (MoondreamKvCache answerCache = cache.copy(capacity, nd)) {
                    NDArray promptEmbeds = text.embed(prompt, nd);
                    put(floats, "text.prompt.inputs_embeds", promptEmbeds);
                    MoondreamText.Output q = text.forward(promptEmbeds, cache, true);
                    for (int i = 0; i < q.blocks().size(); i++) {
                        put(floats, "text.prompt.block." + i, q.blocks().get(i));
                    }
                    put(floats, "text.prompt.last_logits", text.lastLogits(q.hidden()));
                    if (generateTokens > 0) {
                        MoondreamAnswer a = MoondreamQuery.generate(text, m.tokenizer(), answerCache, prompt,
                                new MoondreamQuery.Settings(generateTokens, saelab.lm.SamplingOptions.greedy(), true));
                        ids.put("generate.new_ids", new Safetensors.LongTensor(new long[] {a.ids().length}, a.ids()));
                        float[][] steps = a.stepLogits();
                        float[] flat = new float[steps.length * steps[0].length];
                        for (int s = 0; s < steps.length; s++) {
                            System.arraycopy(steps[s], 0, flat, s * steps[0].length, steps[0].length);
                        }
                        floats.put("generate.step_logits", new Safetensors.Tensor(new long[] {steps.length, steps[0].length}, flat));
                    }
                }
            }
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("saelab.producer", BuildInfo.current().describe());
        meta.put("saelab.family", "moondream");
        meta.put("saelab.inputs", inputs.toAbsolutePath().toString());
        meta.put("saelab.inputs_sha256", Sha256.of(inputs));
        Safetensors.write(out, floats, ids, meta);
        Set<String> names = new TreeSet<>(floats.keySet());
        names.addAll(ids.keySet());
        return names;
    }

    private static void put(Map<String, Safetensors.Tensor> out, String name, NDArray a) {
        NDArray f = a.toType(DataType.FLOAT32, false);
        out.put(name, new Safetensors.Tensor(f.getShape().getShape(), f.toFloatArray()));
    }

    private static NDArray require(MappedSafetensors in, Path inputs, String name, NDManager nd, boolean integer) {
        SafetensorsFile.Entry e = in.entries().get(name);
        if (e == null) {
            throw new IllegalArgumentException(inputs + ": tensor '" + name + "' is missing; expected it beside " + in.entries().keySet());
        }
        if (integer != e.dtype().startsWith("I")) {
            throw new IllegalArgumentException(inputs + ": tensor '" + name + "' has dtype " + e.dtype() + "; expected "
                    + (integer ? "integers (I64 or I32)" : "floats (F32, F16, BF16 or F64)"));
        }
        return in.load(name, nd);
    }
}
