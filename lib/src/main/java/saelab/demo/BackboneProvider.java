package saelab.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import saelab.data.ToyWorld;

/**
 * A backbone of the demo pipeline ({@link DemoPipeline}): something that writes a vision model folder that
 * {@link saelab.model.ModelLoader} loads and {@link saelab.capture.CapturePipeline} captures (Hugging Face layout:
 * {@code config.json}, {@code model.safetensors}, and a {@code preprocessor_config.json} whose resize and crop
 * give whole patches, since per-patch labels need that geometry). The toy backbones trained on the toy world plug
 * in here; so does any existing model folder ({@link ModelFolderBackbone}).
 */
public interface BackboneProvider {

    /** A short lower-case id (letters and digits), used in step names: {@code backbone-<id>}, {@code capture-<id>}, ... */
    String id();

    /**
     * Everything that determines the built model besides the world (JSON-writable); part of the backbone step's key,
     * so a change here rebuilds the backbone and everything after it.
     */
    Map<String, Object> params();

    /**
     * Whether the model has a text tower (a contrastive image-text model): it then gets a classification probe and a
     * zero-shot head in the demo's control half; a vision-only model gets a segmentation head.
     */
    boolean hasTextTower();

    /**
     * Whether the demo trains the toy VLM over this backbone: only a toy CLIP-layout backbone, whose tower, image size and
     * caption vocabulary the toy VLM trainer is built for.
     */
    default boolean hostsToyVlm() {
        return false;
    }

    /**
     * Builds the model folder.
     *
     * @param world  the toy world's config (scenes are a function of it; the written images are not passed)
     * @param outDir an empty folder to write the model into
     * @param log    progress and notes
     * @return summary numbers recorded in the step's {@code step.json} (final loss, held-out accuracy, ...); may be empty
     */
    Map<String, Object> build(ToyWorld world, Path outDir, PrintStream log) throws IOException;
}
