package saelab.analysis;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import saelab.model.Checkpoint;
import saelab.model.ConfigFile;
import saelab.model.ModelFamily;
import saelab.model.ModelFolder;

/**
 * The output projection of one vision block's MLP, as the directions its neurons write into the
 * residual stream: neuron j adds {@code h_j · W_out[:, j]} to {@code resid_post[L]} (0-based block L),
 * so column j of {@code W_out} [d_model, d_mlp] is neuron j's direction. Read from a model folder through
 * {@link Checkpoint} (memory-mapped, shape-checked), one tensor, without building the model. Tensor names
 * (those of the reference checkpoints, listed in {@code lib/MODELS.md}):
 * <ul>
 *   <li>DINOv2 and DINOv2 with registers: {@code encoder.layer.L.mlp.fc2.weight} (giant's SwiGLU MLP:
 *       {@code mlp.weights_out.weight}), times the LayerScale {@code encoder.layer.L.layer_scale2.lambda1}
 *       row by row: the block adds {@code λ2 ⊙ fc2(h)}, so neuron j writes along {@code λ2 ⊙ W[:, j]};</li>
 *   <li>CLIP and SigLIP (Hugging Face): {@code vision_model.encoder.layers.L.mlp.fc2.weight};</li>
 *   <li>open_clip (BioCLIP): {@code visual.transformer.resblocks.L.mlp.c_proj.weight}, times
 *       {@code ls_2.gamma} when the checkpoint has LayerScale.</li>
 * </ul>
 * The MLP's output bias is the same for every neuron and is not a neuron direction; it is left out.
 * The family is chosen from the files by {@link ModelFolder#detect}, as {@link saelab.model.ModelLoader} does.
 *
 * @param family      the checkpoint layout
 * @param file        the weights file (or shard index) the tensor came from
 * @param tensor      the tensor's name
 * @param layerScale  the LayerScale tensor multiplied in, or null (none in the checkpoint, or ignored)
 * @param layer       block index, 0-based
 * @param blocks      the vision tower's blocks
 * @param dModel      residual width d
 * @param dMlp        MLP width m (neurons)
 * @param wOut        [d_model, d_mlp] row-major: column j is neuron j's output direction
 */
public record MlpOutputWeights(ModelFamily family, String file, String tensor, String layerScale, int layer, int blocks, int dModel,
                               int dMlp, float[] wOut) {

    /** Whether {@link #load} multiplies a checkpoint's LayerScale into the output directions. */
    public enum LayerScale {
        /** Multiply it in: the direction actually written into the residual stream (the default). */
        APPLY,
        /** Leave it out: the raw {@code fc2} columns. */
        IGNORE
    }

    /**
     * Reads block {@code layer}'s MLP output weight from the model in {@code dir}.
     *
     * @param scale whether to multiply DINOv2's (and open_clip's) LayerScale in
     * @throws IllegalArgumentException for an unknown model folder or type, a layer outside the model's blocks
     *                                  (naming the config file and field), a missing tensor or one of the wrong shape
     *                                  (naming the weights file and the tensor)
     * @throws IOException              when a file cannot be read
     */
    public static MlpOutputWeights load(Path dir, int layer, LayerScale scale, NDManager nd) throws IOException {
        boolean applyLayerScale = scale == LayerScale.APPLY;
        ModelFolder folder = ModelFolder.detect(dir);
        ConfigFile vc = folder.visionConfig();
        ModelFamily family = folder.family();
        boolean openClip = family == ModelFamily.OPEN_CLIP;
        int blocks = vc.integer(openClip ? "layers" : "num_hidden_layers", 12);
        long d = vc.integer(openClip ? "width" : "hidden_size", 768);
        checkLayer(layer, blocks, vc, vc.fieldPath(openClip ? "layers" : "num_hidden_layers"));
        String tensor;
        String layerScale;
        boolean scaleRequired;
        switch (family) {
            case OPEN_CLIP -> {
                String p = "visual.transformer.resblocks." + layer + ".";
                tensor = p + "mlp.c_proj.weight";
                layerScale = p + "ls_2.gamma";
                scaleRequired = false;
            }
            case DINOV2, DINOV2_REGISTERS -> {
                String p = "encoder.layer." + layer + ".";
                tensor = p + (vc.bool("use_swiglu_ffn", false) ? "mlp.weights_out.weight" : "mlp.fc2.weight");
                layerScale = p + "layer_scale2.lambda1";
                scaleRequired = true;
            }
            case CLIP, SIGLIP -> {
                tensor = folder.weightPrefix() + "vision_model.encoder.layers." + layer + ".mlp.fc2.weight";
                layerScale = null;
                scaleRequired = false;
            }
            default -> throw new IllegalStateException("unknown family " + family);
        }
        try (Checkpoint c = folder.openWeights()) {
            return read(c, family, tensor, applyLayerScale ? layerScale : null, scaleRequired && applyLayerScale, layer, blocks, d, nd);
        }
    }

    /**
     * The tensor [d, m] as floats, with an optional per-row scale.
     *
     * @param scaleRequired whether a missing {@code scaleName} is an error (DINOv2 always has LayerScale;
     *                      open_clip only when {@code ls_init_value} was set)
     */
    private static MlpOutputWeights read(Checkpoint c, ModelFamily family, String name, String scaleName, boolean scaleRequired, int layer,
                                         int blocks, long d, NDManager nd) {
        if (!c.has(name)) {
            throw new IllegalArgumentException(c.where(name) + ": tensor '" + name + "' (the MLP output projection of block " + layer
                    + ") is missing");
        }
        long[] shape = c.shape(name);
        if (shape.length != 2 || shape[0] != d || shape[1] <= 0) {
            throw new IllegalArgumentException(c.where(name) + ": tensor '" + name + "' has shape " + Arrays.toString(shape)
                    + ", expected [" + d + ", d_mlp] (d_model from the config)");
        }
        int m = Math.toIntExact(shape[1]);
        float[] w;
        try (NDManager scope = nd.newSubManager()) {
            NDArray t = c.take(name, scope, DataType.FLOAT32, shape);
            w = t.toFloatArray();
        }
        String applied = null;
        if (scaleName != null && (scaleRequired || c.has(scaleName))) {
            if (!c.has(scaleName)) {
                throw new IllegalArgumentException(c.where(scaleName) + ": tensor '" + scaleName + "' (the LayerScale of block " + layer
                        + "'s MLP) is missing");
            }
            float[] ls;
            try (NDManager scope = nd.newSubManager()) {
                ls = c.take(scaleName, scope, DataType.FLOAT32, d).toFloatArray();
            }
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < m; j++) {
                    w[i * m + j] *= ls[i];
                }
            }
            applied = scaleName;
        }
        return new MlpOutputWeights(family, c.where(name), name, applied, layer, blocks, (int) d, m, w);
    }

    private static void checkLayer(int layer, int blocks, ConfigFile cfg, String field) {
        if (layer < 0 || layer >= blocks) {
            throw new IllegalArgumentException(cfg.file() + ": field '" + field + "' is " + blocks + ", so block " + layer
                    + " does not exist; expected a layer in 0.." + (blocks - 1) + " (0-based resid_post index)");
        }
    }

    /** Neuron j's direction (column j), length d_model. */
    public float[] column(int j) {
        float[] c = new float[dModel];
        for (int i = 0; i < dModel; i++) {
            c[i] = wOut[i * dMlp + j];
        }
        return c;
    }
}
