package saelab.model;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads a model from a local folder, choosing the family from the files:
 * <ul>
 *   <li>{@code open_clip_config.json} + {@code open_clip_model.safetensors}: open_clip (BioCLIP);</li>
 *   <li>{@code config.json} + {@code model.safetensors} or a sharded {@code model.safetensors.index.json}:
 *       Hugging Face, by {@code model_type}: {@code dinov2}, {@code dinov2_with_registers},
 *       {@code clip}, {@code clip_vision_model}, {@code siglip}, {@code siglip_vision_model}.</li>
 * </ul>
 * Pickled PyTorch checkpoints ({@code *.bin}) are not read; convert them to safetensors once.
 * Every error names the file and what was expected.
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
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": model folder does not exist");
        }
        Path openClipConfig = dir.resolve("open_clip_config.json");
        Path hfConfig = dir.resolve("config.json");
        if (Files.exists(openClipConfig)) {
            return loadOpenClip(dir, ConfigFile.read(openClipConfig), options);
        }
        if (!Files.exists(hfConfig)) {
            throw new IllegalArgumentException(dir + ": no config.json (Hugging Face) or open_clip_config.json (open_clip); expected one of them"
                    + " beside the weights");
        }
        ConfigFile cfg = ConfigFile.read(hfConfig);
        String type = cfg.text("model_type", "");
        NDManager weights = NDManager.newBaseManager(options.device());
        try (Checkpoint ckpt = hfWeights(dir)) {
            WeightReader w = new WeightReader(ckpt, weights, options.dtype());
            LoadedModel m = switch (type) {
                case "dinov2" -> new LoadedModel(ModelFamily.DINOV2, dir,
                        Dinov2Loader.vision(cfg, w, false, options.interpolationFor(ModelFamily.DINOV2)), null, null, weights);
                case "dinov2_with_registers" -> new LoadedModel(ModelFamily.DINOV2_REGISTERS, dir,
                        Dinov2Loader.vision(cfg, w, true, options.interpolationFor(ModelFamily.DINOV2_REGISTERS)), null, null, weights);
                case "clip" -> {
                    long proj = cfg.integer("projection_dim", 512);
                    VisionTower v = ClipLoader.vision(cfg.section("vision_config"), w, proj, options.interpolationFor(ModelFamily.CLIP));
                    TextTower t = ClipLoader.text(cfg.section("text_config"), w, proj);
                    yield new LoadedModel(ModelFamily.CLIP, dir, v, t, new DualEncoder(v, t, w.scalar("logit_scale"), null), weights);
                }
                case "clip_vision_model" -> {
                    long proj = w.has("visual_projection.weight") ? cfg.integer("projection_dim", 512) : -1;
                    yield new LoadedModel(ModelFamily.CLIP, dir, ClipLoader.vision(cfg, w, proj, options.interpolationFor(ModelFamily.CLIP)),
                            null, null, weights);
                }
                case "siglip" -> {
                    VisionTower v = SiglipLoader.vision(cfg.section("vision_config"), w, options.interpolationFor(ModelFamily.SIGLIP));
                    TextTower t = SiglipLoader.text(cfg.section("text_config"), w);
                    yield new LoadedModel(ModelFamily.SIGLIP, dir, v, t,
                            new DualEncoder(v, t, w.scalar("logit_scale"), w.scalar("logit_bias")), weights);
                }
                case "siglip_vision_model" -> new LoadedModel(ModelFamily.SIGLIP, dir,
                        SiglipLoader.vision(cfg, w, options.interpolationFor(ModelFamily.SIGLIP)), null, null, weights);
                case "" -> throw new IllegalArgumentException(hfConfig + ": field 'model_type' is missing; expected dinov2, dinov2_with_registers, "
                        + "clip, clip_vision_model, siglip or siglip_vision_model");
                default -> throw new IllegalArgumentException(hfConfig + ": model_type '" + type + "' is not supported; expected dinov2, "
                        + "dinov2_with_registers, clip, clip_vision_model, siglip or siglip_vision_model");
            };
            return m;
        } catch (IOException | RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    private static LoadedModel loadOpenClip(Path dir, ConfigFile cfg, LoadOptions options) throws IOException {
        Path file = dir.resolve("open_clip_model.safetensors");
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(dir + ": open_clip_config.json is there but open_clip_model.safetensors is missing"
                    + (Files.exists(dir.resolve("open_clip_pytorch_model.bin"))
                    ? " (open_clip_pytorch_model.bin is a pickle, which saelab does not read: convert it to safetensors once with Python)" : ""));
        }
        if (!cfg.has("model_cfg")) {
            throw cfg.invalid("model_cfg", "an object with embed_dim, vision_cfg and text_cfg");
        }
        ConfigFile model = cfg.section("model_cfg");
        NDManager weights = NDManager.newBaseManager(options.device());
        try (Checkpoint ckpt = Checkpoint.single(file)) {
            WeightReader w = new WeightReader(ckpt, weights, options.dtype());
            PosInterpolation p = options.interpolationFor(ModelFamily.OPEN_CLIP);
            VisionTower v = OpenClipLoader.vision(model, w, p);
            TextTower t = OpenClipLoader.text(model, w);
            Float bias = w.has("logit_bias") ? w.scalar("logit_bias") : null;
            DualEncoder dual = new DualEncoder(v, t, w.scalar("logit_scale"), bias);
            return new LoadedModel(ModelFamily.OPEN_CLIP, dir, v, t, dual, weights);
        } catch (IOException | RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /** {@code model.safetensors}, or the shards of {@code model.safetensors.index.json}. */
    private static Checkpoint hfWeights(Path dir) throws IOException {
        Path single = dir.resolve("model.safetensors");
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.exists(single)) {
            return Checkpoint.single(single);
        }
        if (Files.exists(index)) {
            return Checkpoint.sharded(index);
        }
        throw new IllegalArgumentException(dir + ": no model.safetensors or model.safetensors.index.json beside config.json"
                + (Files.exists(dir.resolve("pytorch_model.bin"))
                ? " (pytorch_model.bin is a pickle, which saelab does not read: convert it to safetensors once with Python)" : ""));
    }
}
