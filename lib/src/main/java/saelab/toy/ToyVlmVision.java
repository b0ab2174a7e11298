package saelab.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import saelab.data.ToyWorld;
import saelab.image.Preprocessor;
import saelab.io.Json;
import saelab.model.Checkpoint;
import saelab.model.ConfigFile;
import saelab.model.LoadOptions;
import saelab.model.ModelFamily;
import saelab.model.ModelLoader;
import saelab.model.VisionTower;

/**
 * The toy VLM's frozen vision side: the vision tower of a toy CLIP folder ({@code config.json} of
 * {@code model_type} "clip", {@code model.safetensors} with {@code vision_model.*}), read by saelab's own CLIP
 * loader through {@link ModelLoader#visionTower}, the path {@link saelab.lm.llava.LlavaModel} reads the saved
 * folder's tower by. The selected features are LLaVA's {@code vision_feature_layer} -2 with the "default" strategy:
 * hidden state {@code depth - 1}, i.e. the output of block {@code depth - 2} (0-based; for the 3-block toy CLIP,
 * block 1, the block the demo's capture at block -2 records), without the class token, so {@code [B, patches, D]}.
 */
final class ToyVlmVision implements AutoCloseable {

    private final Path folder;
    private final NDManager weights;
    private final VisionTower tower;
    private final Map<String, Object> visionConfig;
    private final ToyData data;
    private final int imageSize;

    private ToyVlmVision(Path folder, NDManager weights, VisionTower tower, Map<String, Object> visionConfig, ToyData data, int imageSize) {
        this.folder = folder;
        this.weights = weights;
        this.tower = tower;
        this.visionConfig = visionConfig;
        this.data = data;
        this.imageSize = imageSize;
    }

    /**
     * Opens the tower of the toy CLIP folder {@code backbone} for the scenes of {@code world}.
     *
     * @throws IllegalArgumentException when the folder is not a CLIP folder with at least two blocks, or its image size is not the world's
     */
    @SuppressWarnings("unchecked")
    static ToyVlmVision open(Path backbone, ToyWorld world) throws IOException {
        Path config = backbone.resolve("config.json");
        Path weightsFile = backbone.resolve("model.safetensors");
        if (!Files.isRegularFile(config) || !Files.isRegularFile(weightsFile)) {
            throw new IllegalArgumentException(backbone + ": no config.json and model.safetensors; expected a toy CLIP folder (saelab toy"
                    + " backbone --kind clip)");
        }
        ConfigFile c = ConfigFile.read(config);
        if (!"clip".equals(c.text("model_type", null)) || !c.has("vision_config")) {
            throw c.invalid("model_type", "\"clip\" with a vision_config (a toy CLIP folder; the toy VLM's tower is a CLIP vision model)");
        }
        ConfigFile vc = c.section("vision_config");
        if (vc.integer("image_size", 0) != world.imageSize()) {
            throw vc.invalid("image_size", world.imageSize() + ", the toy world's image side");
        }
        if (vc.integer("num_hidden_layers", 0) < 2) {
            throw vc.invalid("num_hidden_layers", "at least 2 (the VLM reads the second to last hidden state)");
        }
        Map<String, Object> raw = Json.mapper().readValue(config.toFile(), Map.class);
        NDManager weights = NDManager.newBaseManager();
        try (Checkpoint ckpt = Checkpoint.single(weightsFile)) {
            VisionTower tower = ModelLoader.visionTower(ModelFamily.CLIP, vc, ckpt, "", weights,
                    new LoadOptions(weights.getDevice(), DataType.FLOAT32, null));
            return new ToyVlmVision(backbone, weights, tower, (Map<String, Object>) raw.get("vision_config"),
                    new ToyData(world, Preprocessor.load(backbone)), world.imageSize());
        } catch (IOException | RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /** The backbone folder. */
    Path folder() {
        return folder;
    }

    /** The backbone's {@code vision_config} as written (it becomes the LLaVA folder's). */
    Map<String, Object> visionConfig() {
        return visionConfig;
    }

    /** The tower's width. */
    int width() {
        return Math.toIntExact(tower.width());
    }

    /** Image features per image: the patches. */
    int imageTokens() {
        int grid = imageSize / tower.patchSize();
        return grid * grid;
    }

    /** The block whose output is read (0-based): {@code depth - 2}. */
    int block() {
        return tower.depth() + ToyVlmArchitecture.VISION_FEATURE_LAYER;
    }

    /** The scenes as preprocessed by the backbone folder's {@code preprocessor_config.json}. */
    ToyData data() {
        return data;
    }

    /**
     * The selected features of the scenes {@code [from, from + count)}, in chunks of {@code chunk} images.
     *
     * @return {@code [count, patches, D]} float32 on {@code manager}
     */
    NDArray selected(int from, int count, int chunk, NDManager manager) {
        NDList parts = new NDList();
        for (int start = from; start < from + count; start += chunk) {
            int n = Math.min(chunk, from + count - start);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                ToyBatch b = data.batch(IntStream.range(start, start + n).toArray());
                NDArray pixels = manager.create(b.pixels().values(), new Shape(b.pixels().shape()));
                NDArray block = tower.forwardBlocks(pixels, Set.of(block())).blocks().get(block());
                NDArray selected = block.get(new NDIndex(":, 1:, :"));
                NDScope.unregister(selected);
                parts.add(selected);
            }
        }
        NDArray all = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
        if (parts.size() > 1) {
            parts.close();
        }
        return all;
    }

    @Override
    public void close() {
        weights.close();
    }
}
