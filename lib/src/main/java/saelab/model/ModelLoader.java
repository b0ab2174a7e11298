package saelab.model;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Loads a model from a local folder, the family chosen from its files by {@link ModelFolder#detect}
 * (open_clip / BioCLIP, or Hugging Face DINOv2, CLIP, SigLIP by {@code model_type}; of a LLaVA folder, its vision
 * tower alone, so that it is captured and edited like any vision model). Pickled PyTorch
 * checkpoints ({@code *.bin}) are not read; convert them to safetensors once. Every error names the file
 * and what was expected.
 */
public final class ModelLoader {

    private ModelLoader() {}

    /** Loads with {@link LoadOptions#defaults()} (float32, CPU). */
    public static LoadedModel load(Path dir) throws IOException {
        return load(dir, LoadOptions.defaults());
    }

    /**
     * Loads the model in {@code dir}.
     *
     * @throws IllegalArgumentException for a folder without a known config, an unknown {@code model_type}, a missing tensor or a wrong shape
     * @throws IOException              when a file cannot be read
     */
    public static LoadedModel load(Path dir, LoadOptions options) throws IOException {
        ModelFolder folder = ModelFolder.detect(dir);
        ModelFamily family = folder.family();
        ConfigFile cfg = folder.config();
        PosInterpolation p = options.interpolationFor(family);
        NDManager weights = NDManager.newBaseManager(options.device());
        try (Checkpoint ckpt = folder.openWeights()) {
            if (folder.towers() == ModelFolder.Towers.VISION_OF_VLM) {
                VisionTower v = visionTower(family, folder.visionConfig(), ckpt, folder.weightPrefix(), weights, options);
                return new LoadedModel(family, dir, v, null, null, weights);
            }
            WeightReader w = new WeightReader(ckpt, weights, options.dtype());
            if (folder.towers() == ModelFolder.Towers.VISION_ONLY) {
                VisionTower v = switch (family) {
                    case DINOV2, DINOV2_REGISTERS -> Dinov2Loader.vision(cfg, w, family, p);
                    case CLIP -> ClipLoader.vision(cfg, w, "", w.has("visual_projection.weight") ? cfg.integer("projection_dim", 512) : -1, p,
                            true);
                    case SIGLIP -> SiglipLoader.vision(cfg, w, "", p, true);
                    case OPEN_CLIP -> throw new IllegalStateException("open_clip checkpoints always hold both towers");
                };
                return new LoadedModel(family, dir, v, null, null, weights);
            }
            VisionTower v;
            TextTower t;
            Float bias;
            switch (family) {
                case CLIP -> {
                    long proj = cfg.integer("projection_dim", 512);
                    v = ClipLoader.vision(cfg.section("vision_config"), w, "", proj, p, true);
                    t = ClipLoader.text(cfg.section("text_config"), w, proj);
                    bias = null;
                }
                case SIGLIP -> {
                    v = SiglipLoader.vision(cfg.section("vision_config"), w, "", p, true);
                    t = SiglipLoader.text(cfg.section("text_config"), w);
                    bias = w.scalar("logit_bias");
                }
                case OPEN_CLIP -> {
                    ConfigFile model = cfg.section("model_cfg");
                    v = OpenClipLoader.vision(model, w, p);
                    t = OpenClipLoader.text(model, w);
                    bias = w.has("logit_bias") ? w.scalar("logit_bias") : null;
                }
                default -> throw new IllegalStateException(family + " checkpoints hold the image tower alone");
            }
            return new LoadedModel(family, dir, v, t, new DualEncoder(v, t, w.scalar("logit_scale"), bias), weights);
        } catch (IOException | RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /**
     * The image tower inside a composite checkpoint, e.g. a vision-language model: a Hugging Face
     * {@code CLIPVisionModel} or {@code SiglipVisionModel} configured by {@code visionConfig} (absent fields at that
     * family's defaults) whose tensors are named {@code prefix + "vision_model.*"} (LLaVA: prefix
     * {@code vision_tower.}). No projection is read. The head (CLIP's {@code post_layernorm}; SigLIP's
     * {@code post_layernorm} and MAP head) is built when its tensors are there; a model that only reads hidden
     * states may lack it, and its tower then runs {@link VisionTower#forwardBlocks} only.
     *
     * @param family  {@link ModelFamily#CLIP} or {@link ModelFamily#SIGLIP}
     * @param weights the manager the tower's weights are created on (closing it frees the tower)
     * @throws IllegalArgumentException for another family, a missing tensor or a wrong shape, naming the file and the tensor
     */
    public static VisionTower visionTower(ModelFamily family, ConfigFile visionConfig, Checkpoint ckpt, String prefix, NDManager weights,
                                          LoadOptions options) {
        WeightReader w = new WeightReader(ckpt, weights, options.dtype());
        PosInterpolation p = options.interpolationFor(family);
        return switch (family) {
            case CLIP -> ClipLoader.vision(visionConfig, w, prefix, -1, p, false);
            case SIGLIP -> SiglipLoader.vision(visionConfig, w, prefix, p, false);
            default -> throw new IllegalArgumentException(visionConfig.file() + ": a " + family.id()
                    + " image tower cannot be read under a prefix; expected a CLIP or SigLIP vision model");
        };
    }
}
