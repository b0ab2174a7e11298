package saelab.lm.moondream;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import saelab.image.RgbImage;
import saelab.model.Checkpoint;

/**
 * The vision side of moondream2 (github.com/vikhyat/moondream at 44146f1, {@code moondream/torch/}),
 * from an image to the image embeddings the text model reads, in four steps a caller can run one by
 * one to edit features in between:
 * <ol>
 *   <li>{@link #crops}: the global crop and the overlapping local crops ({@link OverlapCropper});</li>
 *   <li>{@link #encode}: the vision encoder on all crops as one batch, {@code [crops, T, D]} ({@link MoondreamVisionEncoder});</li>
 *   <li>{@link #stitch}: the local features stitched, pooled to the crop grid and put beside the
 *       global features, {@code [T, 2 D]} ({@link MoondreamImageFeatures}, the splice point of an SAE edit);</li>
 *   <li>{@link #project}: the projection MLP to {@code [T, text dim]} ({@link MoondreamProjection}).</li>
 * </ol>
 * {@link #imageEmbeddings} runs all four. T = 729 (27 x 27) for every valid config. Weights are
 * float32, memory-mapped from {@code model.safetensors} (or the shards of
 * {@code model.safetensors.index.json}); the model owns them until {@link #close()}.
 */
public final class MoondreamVision implements AutoCloseable {

    private final Path source;
    private final MoondreamConfig config;
    private final MoondreamVisionEncoder encoder;
    private final MoondreamProjection projection;
    private final NDManager weights;

    private MoondreamVision(Path source, MoondreamConfig config, MoondreamVisionEncoder encoder, MoondreamProjection projection,
                            NDManager weights) {
        this.source = source;
        this.config = config;
        this.encoder = encoder;
        this.projection = projection;
        this.weights = weights;
    }

    /** Loads the folder's vision weights on the CPU. */
    public static MoondreamVision load(Path dir) throws IOException {
        return load(dir, Device.cpu());
    }

    /**
     * Loads the vision encoder and projection of the moondream2 folder {@code dir} ({@code config.json}
     * and {@code model.safetensors}, names {@code model.vision.*}) onto {@code device}.
     *
     * @throws IllegalArgumentException for a folder without the files, a config the reference cannot run, a missing tensor
     *                                  or a wrong shape, naming the file and the field or tensor
     * @throws IOException              when a file cannot be read
     */
    public static MoondreamVision load(Path dir, Device device) throws IOException {
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new IllegalArgumentException(dir + ": config.json is missing; expected a moondream2 folder (config.json, model.safetensors)");
        }
        MoondreamConfig config = MoondreamConfig.read(configFile);
        Path single = dir.resolve("model.safetensors");
        Path index = dir.resolve("model.safetensors.index.json");
        if (!Files.isRegularFile(single) && !Files.isRegularFile(index)) {
            throw new IllegalArgumentException(dir + ": model.safetensors is missing (and there is no model.safetensors.index.json);"
                    + " expected a moondream2 folder (config.json, model.safetensors)");
        }
        NDManager weights = NDManager.newBaseManager(device);
        try (Checkpoint ckpt = Files.isRegularFile(single) ? Checkpoint.single(single) : Checkpoint.sharded(index)) {
            MoondreamVisionEncoder encoder = MoondreamVisionLoader.encoder(config.vision(), ckpt, weights);
            MoondreamProjection projection = MoondreamVisionLoader.projection(config.vision(), ckpt, weights);
            return new MoondreamVision(dir, config, encoder, projection, weights);
        } catch (IOException | RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /** The folder the weights came from. */
    public Path source() {
        return source;
    }

    /** The model's configuration. */
    public MoondreamConfig config() {
        return config;
    }

    /** The vision encoder. */
    public MoondreamVisionEncoder encoder() {
        return encoder;
    }

    /** The projection. */
    public MoondreamProjection projection() {
        return projection;
    }

    /** Step 1: the crops of {@code image} ({@link OverlapCropper#crop}). */
    public CropSet crops(RgbImage image) {
        return OverlapCropper.crop(image, config.vision());
    }

    /**
     * Step 2: the encoder output of every crop.
     *
     * @param crops {@code [crops, 3, S, S]} normalised crops ({@link CropSet#normalised}), global crop first
     * @return {@code [crops, T, D]} on the manager of {@code crops}
     */
    public NDArray encode(NDArray crops) {
        if (crops.getDevice().equals(weights.getDevice())) {
            return encoder.encode(crops);
        }
        try (NDArray moved = crops.toDevice(weights.getDevice(), true)) {
            NDArray out = encoder.encode(moved);
            out.attach(crops.getManager());
            return out;
        }
    }

    /**
     * Step 3: the features the projection consumes. The local crops' grids are stitched with
     * {@link CropStitcher#reconstruct} (overlap margin from the config), pooled to the crop grid with
     * {@link CropStitcher#pool}, and concatenated after the global crop's features, as the reference's
     * {@code _run_vision_encoder} and {@code vision_projection}.
     *
     * @param encoderOut {@code [tiles + 1, T, D]} from {@link #encode}; not modified or closed
     * @param tiling     the crops' tiling ({@link CropSet#tiling})
     * @throws IllegalArgumentException when the shape does not fit the tiling
     */
    public MoondreamImageFeatures stitch(NDArray encoderOut, CropTiling tiling) {
        MoondreamVisionConfig v = config.vision();
        int side = v.gridSide();
        long d = encoder.width();
        Shape s = encoderOut.getShape();
        if (s.dimension() != 3 || s.get(0) != tiling.tiles() + 1 || s.get(1) != (long) side * side || s.get(2) != d) {
            throw new IllegalArgumentException("encoder output has shape " + Arrays.toString(s.getShape()) + "; expected [" + (tiling.tiles() + 1)
                    + " crops (global + " + tiling.rows() + "x" + tiling.cols() + " tiles), " + (side * side) + ", " + d + "]");
        }
        NDArray reconstructed;
        NDArray pooled;
        NDArray joined;
        try (NDArray global = encoderOut.get(0);
             NDArray localFlat = encoderOut.get("1:");
             NDArray local = localFlat.reshape(tiling.tiles(), side, side, d)) {
            reconstructed = CropStitcher.reconstruct(local, tiling, v.overlapMargin());
            // the reference pools to (enc_n_layers, enc_n_layers), which the config check holds equal to the grid side
            pooled = CropStitcher.pool(reconstructed, v.encNLayers());
            joined = NDArrays.concat(new NDList(global, pooled), -1);
        }
        return new MoondreamImageFeatures(encoderOut, reconstructed, pooled, joined, tiling);
    }

    /**
     * Step 4: the image embeddings.
     *
     * @param projectionInput {@code [T, 2 D]} ({@link MoondreamImageFeatures#projectionInput}, edited or not)
     * @return {@code [T, text dim]} on the manager of the input
     */
    public NDArray project(NDArray projectionInput) {
        return projection.apply(projectionInput);
    }

    /**
     * All four steps: the {@code [T, text dim]} image embeddings of {@code image}, on {@code manager}
     * (the intermediate arrays are freed).
     */
    public NDArray imageEmbeddings(RgbImage image, NDManager manager) {
        CropSet crops = crops(image);
        try (NDManager scratch = manager.newSubManager()) {
            NDArray encoded = encode(crops.normalised(scratch));
            MoondreamImageFeatures f = stitch(encoded, crops.tiling());
            NDArray out = project(f.projectionInput());
            out.attach(manager);
            return out;
        }
    }

    /** Frees the weights. */
    @Override
    public void close() {
        weights.close();
    }
}
