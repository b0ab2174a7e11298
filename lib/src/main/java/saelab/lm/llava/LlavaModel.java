package saelab.lm.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import saelab.lm.DecoderLm;
import saelab.lm.Generation;
import saelab.lm.GenerationOptions;
import saelab.lm.GenerationResult;
import saelab.lm.ImageTokenMerge;
import saelab.lm.LmOutput;
import saelab.lm.SamplingOptions;
import saelab.model.Checkpoint;
import saelab.model.ConfigFile;
import saelab.model.LoadOptions;
import saelab.model.ModelLoader;
import saelab.model.VisionOutput;
import saelab.model.VisionTower;

/**
 * A LLaVA vision-language model in the layout of transformers 4.45.2 {@code LlavaForConditionalGeneration}
 * (e.g. llava-hf/llava-1.5-7b-hf with a CLIP tower and a Llama decoder, llava-hf/llava-interleave-qwen-0.5b-hf
 * with a SigLIP tower and a Qwen2 decoder): the vision tower ({@code vision_tower.vision_model.*}, run by
 * {@link VisionTower}) up to the hidden state {@code vision_feature_layer}, the token selection
 * ({@code vision_feature_select_strategy}), the {@link LlavaProjector} ({@code multi_modal_projector.*}), the
 * image features written over the prompt's image tokens ({@link ImageTokenMerge}) and the {@link DecoderLm}
 * ({@code language_model.*}).
 *
 * <p>The selected features {@code [B, N, D_vision]} are the hook point for edits (an SAE splice): take them with
 * {@link #selectedFeatures}, change them, and continue with {@link #forwardFromFeatures} or
 * {@link #generateFromFeatures}; {@link #forward} and {@link #generate} are the two halves run back to back, so an
 * unchanged tensor gives the same result. Prompts must already hold one image token per feature (each
 * {@code <image>} expanded to the image's N tokens, as {@code LlavaProcessor} does); image b's features fill the
 * image tokens in row-major order over (batch, position). Pixel values are the processor's normalised
 * {@code [B, 3, image_size, image_size]}; computation is float32.
 */
public final class LlavaModel implements AutoCloseable {

    private final LlavaConfig config;
    private final NDManager weights;
    private final VisionTower tower;
    private final LlavaProjector projector;
    private final DecoderLm lm;
    private final int selectedHiddenState;
    private final int imageSize;

    private LlavaModel(LlavaConfig config, NDManager weights, VisionTower tower, LlavaProjector projector, DecoderLm lm) {
        this.config = config;
        this.weights = weights;
        this.tower = tower;
        this.projector = projector;
        this.lm = lm;
        int states = tower.depth() + 1;
        int layer = config.visionFeatureLayer();
        if (layer < -states || layer >= states) {
            throw new IllegalArgumentException(config.file() + ": field 'vision_feature_layer' is " + layer + "; expected an index into the "
                    + states + " hidden states of the " + tower.depth() + "-block vision tower (" + -states + " to " + (states - 1) + ")");
        }
        this.selectedHiddenState = layer < 0 ? layer + states : layer;
        this.imageSize = config.visionConfig().integer("image_size", 224);
    }

    /**
     * Loads a Hugging Face LLaVA folder: {@code config.json} ({@link LlavaConfig}), {@code model.safetensors} or the
     * shards of {@code model.safetensors.index.json}, and {@code generation_config.json} when present.
     *
     * @throws IllegalArgumentException for a folder that is not LLaVA, an unknown vision or text {@code model_type}, a
     *                                  missing weights file, or a missing tensor or wrong shape (naming the file and the tensor)
     * @throws IOException              when a file cannot be read
     */
    public static LlavaModel load(Path folder) throws IOException {
        LlavaConfig cfg = LlavaConfig.read(folder);
        Path single = folder.resolve("model.safetensors");
        Path index = folder.resolve("model.safetensors.index.json");
        if (!Files.exists(single) && !Files.exists(index)) {
            throw new IllegalArgumentException(folder + ": no model.safetensors or model.safetensors.index.json beside config.json");
        }
        NDManager weights = NDManager.newBaseManager();
        DecoderLm lm = null;
        try (Checkpoint ckpt = Files.exists(single) ? Checkpoint.single(single) : Checkpoint.sharded(index)) {
            LoadOptions options = new LoadOptions(weights.getDevice(), DataType.FLOAT32, null);
            VisionTower tower = ModelLoader.visionTower(cfg.visionFamily(), cfg.visionConfig(), ckpt, "vision_tower.", weights, options);
            LlavaProjector projector = LlavaProjector.read(ckpt, "multi_modal_projector.", tower.width(), cfg.text().hiddenSize(),
                    cfg.projectorActivation(), weights);
            lm = DecoderLm.fromCheckpoint(cfg.text(), ckpt, "language_model.model.", "language_model.lm_head.weight");
            return new LlavaModel(cfg, weights, tower, projector, lm);
        } catch (IOException | RuntimeException e) {
            if (lm != null) {
                lm.close();
            }
            weights.close();
            throw e;
        }
    }

    /**
     * Whether {@code folder} holds a LLaVA model: a {@code config.json} whose {@code model_type} is "llava".
     *
     * @throws IllegalArgumentException when that file is not a JSON object (naming it)
     * @throws IOException              when it cannot be read
     */
    public static boolean isLlavaFolder(Path folder) throws IOException {
        Path file = folder.resolve("config.json");
        return Files.isRegularFile(file) && "llava".equals(ConfigFile.read(file).text("model_type", null));
    }

    /** The configuration. */
    public LlavaConfig config() {
        return config;
    }

    /** The vision tower (loaded without the head LLaVA never reads when its tensors are absent: run {@link VisionTower#forwardBlocks}). */
    public VisionTower visionTower() {
        return tower;
    }

    /** The projector. */
    public LlavaProjector projector() {
        return projector;
    }

    /** The language model. */
    public DecoderLm languageModel() {
        return lm;
    }

    /**
     * The hidden state the projector reads, as a non-negative index: 0 is the embeddings (after CLIP's
     * {@code pre_layrnorm}), i the output of block i - 1 (no final norm).
     */
    public int selectedHiddenState() {
        return selectedHiddenState;
    }

    /**
     * The selected features of images: the tower run up to the selected hidden state, then the select strategy.
     * This is the hook point an edit changes.
     *
     * @param pixels {@code [B, C, image_size, image_size]} normalised pixel values
     * @return {@code [B, N, D_vision]} float32 on {@code pixels}' manager
     * @throws IllegalArgumentException when the pixels do not have the tower's input shape
     */
    public NDArray selectedFeatures(NDArray pixels) {
        checkPixels(pixels);
        int block = Math.max(selectedHiddenState - 1, 0);
        VisionOutput out = tower.forwardBlocks(pixels, Set.of(block));
        NDArray hidden = selectedHiddenState == 0 ? out.embeddings() : out.blocks().get(block);
        NDArray other = selectedHiddenState == 0 ? out.blocks().get(block) : out.embeddings();
        other.close();
        NDArray selected = select(hidden);
        if (selected != hidden) {
            hidden.close();
        }
        return selected;
    }

    /**
     * Applies the select strategy to one of the tower's hidden states: every token but the first ("default") or
     * every token ("full").
     *
     * @param hiddenState {@code [B, T, D_vision]}
     * @return {@code [B, T - 1, D_vision]} (a new array) or {@code hiddenState} itself
     */
    public NDArray select(NDArray hiddenState) {
        if (config.strategy() == LlavaConfig.SelectStrategy.FULL) {
            return hiddenState;
        }
        NDArray rest = hiddenState.get(new NDIndex(":, 1:, :"));
        rest.attach(hiddenState.getManager());
        return rest;
    }

    /**
     * Projects selected features into the language model's width.
     *
     * @param selected {@code [B, N, D_vision]}
     * @return {@code [B, N, D_text]} on {@code selected}'s manager
     * @throws IllegalArgumentException when the width is not the projector's
     */
    public NDArray imageFeatures(NDArray selected) {
        Shape s = selected.getShape();
        if (s.dimension() != 3 || s.get(2) != projector.visionWidth()) {
            throw new IllegalArgumentException("the selected vision features have shape " + s + "; expected [images, tokens, "
                    + projector.visionWidth() + "] (the vision tower's width)");
        }
        return projector.apply(selected);
    }

    /**
     * The prompt's token embeddings with the image features written over its image tokens.
     *
     * @param ids           {@code [B, T]} int64 token ids holding one image token per feature row
     * @param imageFeatures {@code [images, N, D_text]} projected features, or null for a prompt without images
     * @return {@code [B, T, D_text]} on {@code ids}' manager
     * @throws IllegalArgumentException when the number of image tokens differs from the number of feature rows (naming both)
     */
    public NDArray inputsEmbeds(NDArray ids, NDArray imageFeatures) {
        long[][] rows = rows(ids);
        long tokens = Arrays.stream(rows).flatMapToLong(Arrays::stream).filter(id -> id == config.imageTokenIndex()).count();
        Shape fs = imageFeatures == null ? new Shape(0, 0, 0) : imageFeatures.getShape();
        long images = fs.dimension() == 3 ? fs.get(0) : 0;
        long perImage = fs.dimension() == 3 ? fs.get(1) : 0;
        if (tokens != images * perImage) {
            throw new IllegalArgumentException("input_ids hold " + tokens + " image tokens (id " + config.imageTokenIndex() + ") but "
                    + images + " image(s) give " + images * perImage + " features (" + perImage + " each); expected one image token per"
                    + " feature (each <image> expanded to " + perImage + " tokens)");
        }
        NDArray embeds = lm.embed(ids);
        if (imageFeatures == null || tokens == 0) {
            return embeds;
        }
        try (embeds) {
            return ImageTokenMerge.merge(embeds, rows, config.imageTokenIndex(), imageFeatures);
        }
    }

    /**
     * Runs the model on from (possibly edited) selected features: projector, merge, language model.
     *
     * @param selected      {@code [B, N, D_vision]} from {@link #selectedFeatures}
     * @param ids           {@code [B, T]} token ids with one image token per selected feature
     * @param attentionMask {@code [B][T]} 0 on left pads, else 1 (null: no padding); positions follow it
     * @param keep          what the language model returns
     * @return the language model's outputs on {@code ids}' manager
     */
    public LmOutput forwardFromFeatures(NDArray selected, NDArray ids, long[][] attentionMask, DecoderLm.Keep keep) {
        try (NDArray embeds = mergedEmbeds(selected, ids)) {
            return lm.forward(embeds, attentionMask, null, null, keep);
        }
    }

    /** {@link #selectedFeatures} then {@link #forwardFromFeatures}. */
    public LmOutput forward(NDArray pixels, NDArray ids, long[][] attentionMask, DecoderLm.Keep keep) {
        try (NDArray selected = selectedFeatures(pixels)) {
            return forwardFromFeatures(selected, ids, attentionMask, keep);
        }
    }

    /**
     * Generates from (possibly edited) selected features: the image features enter at the prefill only, then one
     * cached step per token, as transformers' {@code generate}.
     *
     * @param attentionMask {@code [B][T]} 0 on left pads, else 1 (null: no padding)
     */
    public GenerationResult generateFromFeatures(NDArray selected, NDArray ids, long[][] attentionMask, GenerationOptions options) {
        try (NDArray embeds = mergedEmbeds(selected, ids)) {
            return Generation.generate(lm, embeds, attentionMask, options);
        }
    }

    /** {@link #selectedFeatures} then {@link #generateFromFeatures}. */
    public GenerationResult generate(NDArray pixels, NDArray ids, long[][] attentionMask, GenerationOptions options) {
        try (NDArray selected = selectedFeatures(pixels)) {
            return generateFromFeatures(selected, ids, attentionMask, options);
        }
    }

    /** Greedy decoding of up to {@code maxNewTokens} with this model's stop and pad tokens, step logits kept. */
    public GenerationOptions greedy(int maxNewTokens) {
        int[] stops = config.stopTokenIds().stream().mapToInt(Integer::intValue).toArray();
        return new GenerationOptions(maxNewTokens, SamplingOptions.greedy(), stops, config.padTokenId(), true);
    }

    private NDArray mergedEmbeds(NDArray selected, NDArray ids) {
        try (NDArray features = imageFeatures(selected)) {
            return inputsEmbeds(ids, features);
        }
    }

    private void checkPixels(NDArray pixels) {
        Shape s = pixels.getShape();
        long channels = config.visionConfig().integer("num_channels", 3);
        if (s.dimension() != 4 || s.get(0) == 0 || s.get(1) != channels || s.get(2) != imageSize || s.get(3) != imageSize) {
            throw new IllegalArgumentException("pixel_values have shape " + s + "; expected [images, " + channels + ", " + imageSize + ", "
                    + imageSize + "] (vision_config.image_size of " + config.file() + ")");
        }
    }

    private static long[][] rows(NDArray ids) {
        Shape s = ids.getShape();
        if (s.dimension() != 2 || s.get(0) == 0 || s.get(1) == 0) {
            throw new IllegalArgumentException("input_ids have shape " + s + "; expected [batch, tokens]");
        }
        long[] flat;
        try (NDArray i64 = ids.toType(DataType.INT64, true)) {
            flat = i64.toLongArray();
        }
        int b = (int) s.get(0);
        int t = (int) s.get(1);
        long[][] out = new long[b][t];
        for (int r = 0; r < b; r++) {
            System.arraycopy(flat, r * t, out[r], 0, t);
        }
        return out;
    }

    @Override
    public void close() {
        lm.close();
        weights.close();
    }
}
