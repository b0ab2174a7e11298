package saelab.lm.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import saelab.BuildInfo;
import saelab.io.Safetensors;
import saelab.io.SafetensorsFile;
import saelab.io.Sha256;
import saelab.lm.DecoderLm;
import saelab.lm.Generation;
import saelab.lm.GenerationResult;
import saelab.lm.LmOutput;
import saelab.model.MappedSafetensors;
import saelab.model.VisionOutput;

/**
 * Runs a {@link LlavaModel} over the tensors of an inputs file and writes its activations under the names of the
 * LLaVA golden fixtures, so that a run on a fixture's {@code inputs.safetensors} gives every tensor of its
 * {@code outputs.safetensors} (one loop compares them).
 *
 * <p>Inputs: {@code pixel_values} {@code [B, 3, H, W]} and {@code input_ids} {@code [B, T]} (integers, one image
 * token per selected feature), optionally {@code attention_mask} {@code [B, T]}; {@code pad.input_ids} and
 * {@code pad.attention_mask} (a left-padded batch over the same images); {@code edit.direction}
 * {@code [D_vision]} and {@code edit.scale} (one value), an edit added to every selected token of image 0.
 *
 * <p>Outputs: {@code vision.embeddings}, {@code vision.block.{i}} (every block, 0-based), {@code vision.selected},
 * {@code image_features}, {@code text.inputs_embeds}, {@code text.block.{i}}, {@code text.final_norm},
 * {@code logits}, {@code next.top5_ids} (int64) and {@code next.top5_logprobs} (top 5 of the log-softmax at the
 * last position); with {@code generateTokens} &gt; 0 {@code generate.new_ids} (int64, greedy with the KV cache,
 * stopping at the model's stop tokens) and {@code generate.step_logits}; with the pad inputs {@code pad.logits},
 * {@code pad.next.top5_*} (and {@code pad.generate.*}); with the edit {@code edited.vision.selected},
 * {@code edited.image_features}, {@code edited.logits} and {@code edited.next.top5_*}. Floats are written as
 * float32, ids as int64, atomically; everything is held in memory until then, so this is for test-sized batches.
 */
public final class LlavaForward {

    private static final Set<String> INPUTS = new LinkedHashSet<>(List.of("pixel_values", "input_ids", "attention_mask", "pad.input_ids",
            "pad.attention_mask", "edit.direction", "edit.scale"));

    private LlavaForward() {}

    /**
     * Runs {@code model} on {@code inputs} and writes {@code out}.
     *
     * @param generateTokens new tokens to generate greedily, 0 for none
     * @return the names written
     * @throws IllegalArgumentException for a missing or unknown input, ids that are not integers, shapes that do not fit,
     *                                  or a prompt whose image tokens do not match the features (one sentence each)
     */
    public static Set<String> run(LlavaModel m, Path inputs, Path out, int generateTokens) throws IOException {
        if (generateTokens < 0) {
            throw new IllegalArgumentException("--generate is " + generateTokens + "; expected 0 or more new tokens");
        }
        Map<String, NDArray> floats = new TreeMap<>();
        Map<String, long[][]> ids = new TreeMap<>();
        Map<String, Safetensors.Tensor> written = new LinkedHashMap<>();
        Map<String, Safetensors.LongTensor> writtenIds = new LinkedHashMap<>();
        try (NDManager nd = NDManager.newBaseManager(m.languageModel().device());
             MappedSafetensors in = MappedSafetensors.open(inputs)) {
            for (String name : in.entries().keySet()) {
                if (!INPUTS.contains(name)) {
                    throw new IllegalArgumentException(inputs + ": tensor '" + name + "' is not an input of a LLaVA model; expected "
                            + String.join(", ", INPUTS));
                }
            }
            NDArray pixels = require(in, inputs, "pixel_values", nd, false);
            NDArray inputIds = require(in, inputs, "input_ids", nd, true);
            long[][] mask = in.entries().containsKey("attention_mask") ? rows(require(in, inputs, "attention_mask", nd, true)) : null;
            VisionOutput vision = m.visionTower().forwardBlocks(pixels, blocks(m.visionTower().depth()));
            floats.put("vision.embeddings", vision.embeddings());
            vision.blocks().forEach((l, a) -> floats.put("vision.block." + l, a));
            int h = m.selectedHiddenState();
            NDArray selected = m.select(h == 0 ? vision.embeddings() : vision.blocks().get(h - 1));
            floats.put("vision.selected", selected);
            NDArray features = m.imageFeatures(selected);
            floats.put("image_features", features);
            NDArray embeds = m.inputsEmbeds(inputIds, features);
            floats.put("text.inputs_embeds", embeds);
            LmOutput lm = m.languageModel().forward(embeds, mask, null, null, DecoderLm.Keep.EVERY_BLOCK);
            for (int l = 0; l < lm.blocks().size(); l++) {
                floats.put("text.block." + l, lm.blocks().get(l));
            }
            floats.put("text.final_norm", lm.finalNorm());
            floats.put("logits", lm.logits());
            top5("next.", lm.logits(), floats, ids);
            if (generateTokens > 0) {
                generate("generate.", m, embeds, mask, generateTokens, floats, ids);
            }
            if (in.entries().containsKey("pad.input_ids")) {
                NDArray padIds = require(in, inputs, "pad.input_ids", nd, true);
                long[][] padMask = in.entries().containsKey("pad.attention_mask")
                        ? rows(require(in, inputs, "pad.attention_mask", nd, true)) : null;
                NDArray padEmbeds = m.inputsEmbeds(padIds, features);
                NDArray padLogits = m.languageModel().forward(padEmbeds, padMask, null, null, DecoderLm.Keep.LOGITS).logits();
                floats.put("pad.logits", padLogits);
                top5("pad.next.", padLogits, floats, ids);
                if (generateTokens > 0) {
                    generate("pad.generate.", m, padEmbeds, padMask, generateTokens, floats, ids);
                }
            }
            if (in.entries().containsKey("edit.direction") || in.entries().containsKey("edit.scale")) {
                NDArray edited = edited(selected, require(in, inputs, "edit.direction", nd, false), scale(in, inputs, nd), inputs);
                floats.put("edited.vision.selected", edited);
                NDArray editedFeatures = m.imageFeatures(edited);
                floats.put("edited.image_features", editedFeatures);
                NDArray editedLogits = m.languageModel().forward(m.inputsEmbeds(inputIds, editedFeatures), mask, null, null,
                        DecoderLm.Keep.LOGITS).logits();
                floats.put("edited.logits", editedLogits);
                top5("edited.next.", editedLogits, floats, ids);
            }
            for (Map.Entry<String, NDArray> r : floats.entrySet()) {
                NDArray a = r.getValue().toType(DataType.FLOAT32, false);
                written.put(r.getKey(), new Safetensors.Tensor(a.getShape().getShape(), a.toFloatArray()));
            }
            ids.forEach((name, rows) -> writtenIds.put(name, new Safetensors.LongTensor(new long[] {rows.length, rows[0].length},
                    Arrays.stream(rows).flatMapToLong(Arrays::stream).toArray())));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("saelab.producer", BuildInfo.current().describe());
        meta.put("saelab.family", "llava");
        meta.put("saelab.vision_family", m.config().visionFamily().id());
        meta.put("saelab.text_family", m.config().text().family().modelType());
        meta.put("saelab.inputs", inputs.toAbsolutePath().toString());
        meta.put("saelab.inputs_sha256", Sha256.of(inputs));
        Safetensors.write(out, written, writtenIds, meta);
        Set<String> names = new TreeSet<>(written.keySet());
        names.addAll(writtenIds.keySet());
        return names;
    }

    /** The top 5 of log_softmax(logits[:, -1]), descending, under {@code prefix}top5_ids and _logprobs. */
    private static void top5(String prefix, NDArray logits, Map<String, NDArray> floats, Map<String, long[][]> ids) {
        long t = logits.getShape().get(1);
        NDArray logp = logits.get(new NDIndex(":, {}, :", t - 1)).logSoftmax(1);
        int k = (int) Math.min(5, logp.getShape().get(1));
        NDList top = logp.topK(k, 1, true, true);
        floats.put(prefix + "top5_logprobs", top.get(0));
        long[] flat = top.get(1).toType(DataType.INT64, false).toLongArray();
        int b = (int) logp.getShape().get(0);
        long[][] rows = new long[b][];
        for (int r = 0; r < b; r++) {
            rows[r] = Arrays.copyOfRange(flat, r * k, (r + 1) * k);
        }
        ids.put(prefix + "top5_ids", rows);
    }

    private static void generate(String prefix, LlavaModel m, NDArray embeds, long[][] mask, int tokens, Map<String, NDArray> floats,
                                 Map<String, long[][]> ids) {
        GenerationResult g = Generation.generate(m.languageModel(), embeds, mask, m.greedy(tokens));
        ids.put(prefix + "new_ids", g.newIds());
        floats.put(prefix + "step_logits", g.stepLogits());
    }

    /** {@code selected} with {@code scale * direction} added to every token of image 0. */
    private static NDArray edited(NDArray selected, NDArray direction, float scale, Path inputs) {
        long d = selected.getShape().get(2);
        if (!direction.getShape().equals(new Shape(d))) {
            throw new IllegalArgumentException(inputs + ": tensor 'edit.direction' has shape " + direction.getShape() + "; expected [" + d
                    + "] (the vision tower's width)");
        }
        NDArray edited = selected.duplicate();
        NDArray first = edited.get(new NDIndex("0:1, :, :"));
        edited.set(new NDIndex("0:1, :, :"), first.add(direction.mul(scale)));
        return edited;
    }

    private static float scale(MappedSafetensors in, Path inputs, NDManager nd) {
        NDArray s = require(in, inputs, "edit.scale", nd, false);
        if (s.size() != 1) {
            throw new IllegalArgumentException(inputs + ": tensor 'edit.scale' has shape " + s.getShape() + "; expected a single value");
        }
        return s.toFloatArray()[0];
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

    private static long[][] rows(NDArray a) {
        long[] s = a.getShape().getShape();
        if (s.length != 2) {
            throw new IllegalArgumentException("attention_mask has shape " + Arrays.toString(s) + "; expected [batch, tokens]");
        }
        long[] flat = a.toLongArray();
        long[][] out = new long[(int) s[0]][(int) s[1]];
        for (int r = 0; r < out.length; r++) {
            System.arraycopy(flat, r * out[r].length, out[r], 0, out[r].length);
        }
        return out;
    }

    private static Set<Integer> blocks(int depth) {
        return IntStream.range(0, depth).boxed().collect(Collectors.toCollection(TreeSet::new));
    }
}
