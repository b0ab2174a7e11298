package saelab.toy;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import saelab.data.ToyWorld;
import saelab.image.Preprocessor;
import saelab.io.Json;
import saelab.io.Safetensors;
import saelab.text.Tokenizers;

/**
 * A toy backbone ready to train in a model folder: the folder's non-weight files written first
 * ({@code config.json}, {@code preprocessor_config.json} and, for CLIP, the tokenizer files), then the model,
 * its objective and the data read through those very files (the folder's preprocessing for the pixels, its
 * tokenizer for the captions), so training sees what a user of the saved folder will see.
 *
 * @param arch      the sizes
 * @param model     the initialised model
 * @param objective its training objective
 * @param data      the world's scenes as the folder's preprocessing makes them
 */
record ToySetup(ToyArchitecture arch, ToyModel model, ToyObjective objective, ToyData data) implements AutoCloseable {

    /**
     * Writes the folder's configuration into {@code dir} (an existing folder) and builds the model on
     * {@code manager}.
     */
    static ToySetup prepare(Path dir, ToyBackboneSpec spec, ToyWorld world, NDManager manager) throws IOException {
        boolean clip = spec.kind() == ToyBackboneKind.CLIP;
        int context = contextLength(world);
        ToyTokenizerFiles.Written tok = clip ? ToyTokenizerFiles.write(dir, ToyCaptionWords.words(), context) : null;
        ToyArchitecture arch = ToyArchitecture.of(spec, world, clip ? tok.vocabSize() : 0, context);
        ToyModel model = clip ? new ToyClipModel(arch, manager, spec.seed(), tok.startId(), tok.endId())
                : new ToyDinoModel(arch, manager, spec.seed());
        try {
            Json.write(dir.resolve("config.json"), model.config());
            Json.write(dir.resolve("preprocessor_config.json"), model.preprocessorConfig());
            ToyObjective objective = clip ? new ToyContrastiveObjective((ToyClipModel) model, Tokenizers.fromFolder(dir))
                    : new ToyMaskedPatchObjective((ToyDinoModel) model, manager, spec.seed());
            return new ToySetup(arch, model, objective, new ToyData(world, Preprocessor.load(dir), spec.captions()));
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** The text context: enough for any caption of the world (at most 7 tokens per object group, start and end), at most CLIP's 77. */
    static int contextLength(ToyWorld world) {
        return Math.min(77, 7 * world.maxObjects() + 1);
    }

    /** Writes the model's parameters to {@code dir/model.safetensors} (with Hugging Face's {@code format: pt} metadata), atomically. */
    void saveWeights(Path dir) throws IOException {
        Safetensors.write(dir.resolve("model.safetensors"), model.parameters().toTensors(), Map.of("format", "pt"));
    }

    @Override
    public void close() {
        objective.close();
        model.close();
    }
}
