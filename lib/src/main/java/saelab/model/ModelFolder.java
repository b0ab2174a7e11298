package saelab.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A local model folder and the family its files declare: the one place that decides the checkpoint layout, used by
 * {@link ModelLoader} and by readers that take single tensors without building the model (e.g. the neuron
 * alignment's {@code saelab.analysis.MlpOutputWeights}). The rules (see {@code lib/MODELS.md}):
 * <ul>
 *   <li>{@code open_clip_config.json} present: open_clip (BioCLIP); its {@code model_cfg} object must be there,
 *       weights in {@code open_clip_model.safetensors};</li>
 *   <li>otherwise {@code config.json}: Hugging Face, by {@code model_type}: {@code dinov2},
 *       {@code dinov2_with_registers}, {@code clip}, {@code clip_vision_model}, {@code siglip},
 *       {@code siglip_vision_model}, and {@code llava} (its CLIP or SigLIP vision tower, tensors under
 *       {@code vision_tower.}); weights in {@code model.safetensors} or the shards listed by
 *       {@code model.safetensors.index.json}.</li>
 * </ul>
 * Pickled PyTorch checkpoints ({@code *.bin}) are never read; an error says so when one is the only weights file.
 *
 * @param dir        the folder
 * @param family     the checkpoint layout
 * @param towers     the towers the checkpoint holds; for {@link Towers#VISION_ONLY} (DINOv2, {@code clip_vision_model},
 *                   {@code siglip_vision_model}) its config is the vision config itself
 * @param config     {@code open_clip_config.json} or {@code config.json}
 */
public record ModelFolder(Path dir, ModelFamily family, Towers towers, ConfigFile config) {

    /** Which towers a checkpoint holds. */
    public enum Towers {
        /** The image tower alone. */
        VISION_ONLY,
        /** An image tower and a text tower (a contrastive image-text model). */
        VISION_AND_TEXT,
        /**
         * The image tower of a vision-language model (LLaVA, {@code model_type} "llava"): its {@code vision_config}
         * section, its tensors under {@link #weightPrefix()}; the projector and the language model are not read here.
         */
        VISION_OF_VLM
    }

    /** The Hugging Face {@code model_type} values saelab loads, as error messages list them. */
    static final String HF_TYPES = "dinov2, dinov2_with_registers, clip, clip_vision_model, siglip, siglip_vision_model or llava"
            + " (its vision tower)";

    /**
     * Reads the configuration of {@code dir} and decides its family.
     *
     * @throws IllegalArgumentException for a missing folder, a folder with neither configuration file, a missing
     *                                  {@code model_cfg} (open_clip), or a missing or unknown {@code model_type}
     *                                  (naming the folder or file and what was expected)
     * @throws IOException              when a configuration cannot be read
     */
    public static ModelFolder detect(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": model folder does not exist");
        }
        Path openClip = dir.resolve("open_clip_config.json");
        if (Files.exists(openClip)) {
            ConfigFile cfg = ConfigFile.read(openClip);
            if (!cfg.has("model_cfg")) {
                throw cfg.invalid("model_cfg", "an object with embed_dim, vision_cfg and text_cfg");
            }
            return new ModelFolder(dir, ModelFamily.OPEN_CLIP, Towers.VISION_AND_TEXT, cfg);
        }
        Path hf = dir.resolve("config.json");
        if (!Files.exists(hf)) {
            throw new IllegalArgumentException(dir + ": no config.json (Hugging Face) or open_clip_config.json (open_clip); expected one of them"
                    + " beside the weights");
        }
        ConfigFile cfg = ConfigFile.read(hf);
        return switch (cfg.text("model_type", "")) {
            case "dinov2" -> new ModelFolder(dir, ModelFamily.DINOV2, Towers.VISION_ONLY, cfg);
            case "dinov2_with_registers" -> new ModelFolder(dir, ModelFamily.DINOV2_REGISTERS, Towers.VISION_ONLY, cfg);
            case "clip" -> new ModelFolder(dir, ModelFamily.CLIP, Towers.VISION_AND_TEXT, cfg);
            case "clip_vision_model" -> new ModelFolder(dir, ModelFamily.CLIP, Towers.VISION_ONLY, cfg);
            case "siglip" -> new ModelFolder(dir, ModelFamily.SIGLIP, Towers.VISION_AND_TEXT, cfg);
            case "siglip_vision_model" -> new ModelFolder(dir, ModelFamily.SIGLIP, Towers.VISION_ONLY, cfg);
            case "llava" -> new ModelFolder(dir, llavaVisionFamily(cfg), Towers.VISION_OF_VLM, cfg);
            default -> throw cfg.invalid("model_type", HF_TYPES);
        };
    }

    /**
     * The family of a LLaVA folder's vision tower, from {@code vision_config.model_type} ("clip_vision_model" when
     * absent, as transformers 4.45.2's {@code LlavaConfig}).
     */
    private static ModelFamily llavaVisionFamily(ConfigFile cfg) {
        if (!cfg.has("vision_config")) {
            throw cfg.invalid("vision_config", "the vision tower's config (a clip_vision_model or siglip_vision_model section)");
        }
        ConfigFile vc = cfg.section("vision_config");
        return switch (vc.text("model_type", "clip_vision_model")) {
            case "clip_vision_model" -> ModelFamily.CLIP;
            case "siglip_vision_model" -> ModelFamily.SIGLIP;
            default -> throw vc.invalid("model_type", "\"clip_vision_model\" or \"siglip_vision_model\" (the LLaVA vision towers saelab"
                    + " runs)");
        };
    }

    /**
     * The prefix of the image tower's tensor names inside the checkpoint: {@code vision_tower.} for a LLaVA folder
     * (tensors {@code vision_tower.vision_model.*}), else empty.
     */
    public String weightPrefix() {
        return towers == Towers.VISION_OF_VLM ? "vision_tower." : "";
    }

    /**
     * The configuration of the image tower: the config itself for vision-only checkpoints, {@code vision_config}
     * of a Hugging Face image-text config, {@code model_cfg.vision_cfg} of open_clip.
     */
    public ConfigFile visionConfig() {
        if (family == ModelFamily.OPEN_CLIP) {
            return config.section("model_cfg").section("vision_cfg");
        }
        return towers == Towers.VISION_ONLY ? config : config.section("vision_config");
    }

    /**
     * Opens the weights: {@code open_clip_model.safetensors} (open_clip), else {@code model.safetensors} or the
     * shards of {@code model.safetensors.index.json}.
     *
     * @throws IllegalArgumentException when the weights file is missing (saying so when only a pickle is there)
     * @throws IOException              when it cannot be read
     */
    public Checkpoint openWeights() throws IOException {
        if (family == ModelFamily.OPEN_CLIP) {
            Path file = dir.resolve("open_clip_model.safetensors");
            if (!Files.exists(file)) {
                throw new IllegalArgumentException(dir + ": open_clip_config.json is there but open_clip_model.safetensors is missing"
                        + pickleHint("open_clip_pytorch_model.bin"));
            }
            return Checkpoint.single(file);
        }
        Path single = dir.resolve("model.safetensors");
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.exists(single)) {
            return Checkpoint.single(single);
        }
        if (Files.exists(index)) {
            return Checkpoint.sharded(index);
        }
        throw new IllegalArgumentException(dir + ": no model.safetensors or model.safetensors.index.json beside config.json"
                + pickleHint("pytorch_model.bin"));
    }

    private String pickleHint(String pickle) {
        return Files.exists(dir.resolve(pickle))
                ? " (" + pickle + " is a pickle, which saelab does not read: convert it to safetensors once with Python)" : "";
    }
}
