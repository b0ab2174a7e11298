package saelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import saelab.BuildInfo;
import saelab.io.Safetensors;
import saelab.io.SafetensorsFile;
import saelab.io.Sha256;

/**
 * Runs a loaded model over the tensors of an inputs file and writes every activation under the
 * names of the golden fixtures, so that a run on a fixture's {@code inputs.safetensors}
 * reproduces its {@code outputs.safetensors}:
 * <ul>
 *   <li>for {@code pixel_values[_S]} {@code [B, 3, H, W]}: {@code vision[_S].embeddings},
 *       {@code vision[_S].block.{i}} (every block, 0-based), {@code vision[_S].last_hidden_state},
 *       {@code vision[_S].pooler_output}; DINOv2 also {@code vision[_S].position_embeddings_used},
 *       Hugging Face CLIP also {@code vision[_S].post_layernorm_all_tokens}; models with an image
 *       embedding {@code image_embeds[_S]} and {@code image_embeds_normalized[_S]};</li>
 *   <li>for {@code input_ids[_S]} {@code [B, T]} (integers): {@code text[_S].embeddings},
 *       {@code text[_S].block.{i}}, {@code text[_S].last_hidden_state}, {@code text[_S].pooler_output},
 *       {@code text_embeds[_S]}, {@code text_embeds_normalized[_S]};</li>
 *   <li>for each suffix with both: {@code logits_per_image[_S]} {@code [images, texts]} and
 *       {@code logits_per_text[_S]}.</li>
 * </ul>
 * Output is float32 safetensors written atomically, with the model, the resampling variant, the
 * inputs' SHA-256 and the saelab version in the metadata. All outputs are held in memory until the
 * file is written, so this is meant for test-sized batches, not datasets.
 */
public final class ForwardRunner {

    private static final Pattern PIXELS = Pattern.compile("pixel_values(_.+)?");
    private static final Pattern IDS = Pattern.compile("input_ids(_.+)?");

    private ForwardRunner() {}

    /**
     * Runs {@code model} on {@code inputs} and writes {@code out}.
     *
     * @return the names written, in file order
     * @throws IllegalArgumentException for an input name that is neither kind, token ids that are not integers, or
     *                                  {@code input_ids} for a model without a text tower
     */
    public static Set<String> run(LoadedModel model, Path inputs, Path out) throws IOException {
        Map<String, NDArray> results = new TreeMap<>();
        Map<String, Safetensors.Tensor> written = new LinkedHashMap<>();
        try (NDManager nd = NDManager.newBaseManager(model.weights().getDevice());
             MappedSafetensors in = MappedSafetensors.open(inputs)) {
            if (in.entries().isEmpty()) {
                throw new IllegalArgumentException(inputs + ": holds no tensors; expected pixel_values[_SUFFIX] and/or input_ids[_SUFFIX]");
            }
            Map<String, NDArray> images = new TreeMap<>();
            Map<String, NDArray> texts = new TreeMap<>();
            for (SafetensorsFile.Entry e : in.entries().values()) {
                Matcher p = PIXELS.matcher(e.name());
                Matcher t = IDS.matcher(e.name());
                if (p.matches()) {
                    String s = suffix(p);
                    images.put(s, vision(model, in.load(e.name(), nd), s, results));
                } else if (t.matches()) {
                    String s = suffix(t);
                    if (model.text() == null) {
                        throw new IllegalArgumentException(inputs + ": tensor '" + e.name() + "' holds token ids, but the "
                                + model.family().id() + " model in " + model.source() + " has no text tower");
                    }
                    if (!e.dtype().startsWith("I")) {
                        throw new IllegalArgumentException(inputs + ": tensor '" + e.name() + "' has dtype " + e.dtype()
                                + "; expected integer token ids (I64 or I32)");
                    }
                    texts.put(s, text(model, nd, ids(in.load(e.name(), nd), inputs, e.name()), s, results));
                } else {
                    throw new IllegalArgumentException(inputs + ": tensor '" + e.name()
                            + "' is neither pixel_values[_SUFFIX] nor input_ids[_SUFFIX]");
                }
            }
            if (model.dual() != null) {
                for (String s : images.keySet()) {
                    if (texts.containsKey(s)) {
                        NDArray logits = model.dual().logitsPerImage(images.get(s), texts.get(s));
                        results.put("logits_per_image" + s, logits);
                        results.put("logits_per_text" + s, logits.transpose());
                    }
                }
            }
            for (Map.Entry<String, NDArray> r : results.entrySet()) {
                NDArray a = r.getValue().toType(DataType.FLOAT32, false);
                written.put(r.getKey(), new Safetensors.Tensor(a.getShape().getShape(), a.toFloatArray()));
            }
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("saelab.producer", BuildInfo.current().describe());
        meta.put("saelab.model", model.source().toAbsolutePath().toString());
        meta.put("saelab.family", model.family().id());
        meta.put("saelab.pos_interpolation", model.vision().posInterpolation().id());
        meta.put("saelab.dtype", model.vision().dtype().toString());
        meta.put("saelab.inputs", inputs.toAbsolutePath().toString());
        meta.put("saelab.inputs_sha256", Sha256.of(inputs));
        Safetensors.write(out, written, meta);
        return written.keySet();
    }

    private static String suffix(Matcher m) {
        return m.group(1) == null ? "" : m.group(1);
    }

    /** Vision activations under {@code vision<S>.*}; returns the image embedding (or null). */
    private static NDArray vision(LoadedModel model, NDArray pixels, String s, Map<String, NDArray> results) {
        VisionTower v = model.vision();
        VisionOutput o = v.forward(pixels, all(v.depth()));
        String p = "vision" + s;
        results.put(p + ".embeddings", o.embeddings());
        o.blocks().forEach((l, a) -> results.put(p + ".block." + l, a));
        results.put(p + ".last_hidden_state", o.lastHiddenState());
        results.put(p + ".pooler_output", o.pooled());
        if (model.family() == ModelFamily.DINOV2 || model.family() == ModelFamily.DINOV2_REGISTERS) {
            long[] shape = pixels.getShape().getShape();
            results.put(p + ".position_embeddings_used", v.positionEmbeddings((int) shape[2], (int) shape[3]));
        }
        if (v.head() instanceof ClsPostNormHead h) {
            results.put(p + ".post_layernorm_all_tokens", h.normAll(o.lastHiddenState()));
        }
        if (o.imageEmbeds() != null) {
            results.put("image_embeds" + s, o.imageEmbeds());
            results.put("image_embeds_normalized" + s, DualEncoder.normalize(o.imageEmbeds()));
        }
        return o.imageEmbeds();
    }

    /** Text activations under {@code text<S>.*}; returns the text embedding. */
    private static NDArray text(LoadedModel model, NDManager nd, long[][] ids, String s, Map<String, NDArray> results) {
        TextTower t = model.text();
        TextOutput o = t.forward(nd, ids, all(t.depth()));
        String p = "text" + s;
        results.put(p + ".embeddings", o.embeddings());
        o.blocks().forEach((l, a) -> results.put(p + ".block." + l, a));
        results.put(p + ".last_hidden_state", o.lastHiddenState());
        results.put(p + ".pooler_output", o.pooled());
        results.put("text_embeds" + s, o.textEmbeds());
        results.put("text_embeds_normalized" + s, DualEncoder.normalize(o.textEmbeds()));
        return o.textEmbeds();
    }

    private static long[][] ids(NDArray a, Path file, String name) {
        long[] shape = a.getShape().getShape();
        if (shape.length != 2) {
            throw new IllegalArgumentException(file + ": tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + "; expected [batch, tokens]");
        }
        long[] flat = a.toLongArray();
        int b = Math.toIntExact(shape[0]);
        int t = Math.toIntExact(shape[1]);
        long[][] ids = new long[b][t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(flat, i * t, ids[i], 0, t);
        }
        return ids;
    }

    private static Set<Integer> all(int n) {
        return IntStream.range(0, n).boxed().collect(Collectors.toCollection(TreeSet::new));
    }
}
