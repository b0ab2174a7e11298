package saelab.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import saelab.io.Safetensors;

/**
 * Trainable float32 parameters keyed by their exact Hugging Face checkpoint names, in creation order, so that
 * saving a model is writing this map to {@code model.safetensors}. Each array requires a gradient and lives on
 * one manager owned by this object.
 *
 * <p>Initialisation draws from one {@link SplittableRandom} in creation order, so a seed gives bit-identical
 * weights: weight matrices and embeddings from a normal distribution truncated at two standard deviations by
 * redrawing (the ViT recipe of Dosovitskiy et al. 2021 as in the JAX reference, which truncates at 2 sigma),
 * biases at zero, LayerNorm scales at one. The standard deviation is ViT's 0.02 rescaled to the toy width
 * ({@link #initStd}).
 */
final class ToyParameters implements AutoCloseable {

    /** ViT's initialisation standard deviation, chosen for width {@link #VIT_WIDTH}. */
    static final double VIT_STD = 0.02;
    /** The width ViT-B's 0.02 goes with. */
    static final int VIT_WIDTH = 768;

    /**
     * The truncated-normal standard deviation for model width {@code width}: 0.02 sqrt(768 / width), so that a
     * linear map gives outputs of the same scale relative to its inputs as ViT-B's 0.02 does at width 768
     * (0.069 at width 64). Plain 0.02 at widths 32 to 64 makes every block's output tiny next to the residual
     * stream: measured on the toy CLIP, every image then starts with almost the same embedding and the
     * contrastive loss sits at ln(batch) for tens of steps, or for the whole of a short run.
     */
    static double initStd(int width) {
        return VIT_STD * Math.sqrt((double) VIT_WIDTH / width);
    }

    /** How a parameter starts. */
    enum Init { TRUNC_NORMAL, ZEROS, ONES, CONSTANT }

    private final NDManager manager;
    private final SplittableRandom rng;
    private final double std;
    private final Map<String, NDArray> arrays = new LinkedHashMap<>();
    private final Map<String, WeightDecay> decay = new LinkedHashMap<>();

    /** Parameters on a new sub-manager of {@code parent}, initialised from {@code seed} with standard deviation {@code std}. */
    ToyParameters(NDManager parent, long seed, double std) {
        this.manager = parent.newSubManager();
        this.rng = new SplittableRandom(seed);
        this.std = std;
    }

    /**
     * Creates a parameter.
     *
     * @param name     its checkpoint name (unique)
     * @param shape    its shape ({@code []} for a scalar)
     * @param init     how it starts
     * @param value    the value of {@link Init#CONSTANT}
     * @param decay    whether AdamW's weight decay applies (weight matrices yes; biases, norms, tokens, scales no)
     */
    NDArray add(String name, long[] shape, Init init, double value, WeightDecay decay) {
        if (arrays.containsKey(name)) {
            throw new IllegalStateException("parameter '" + name + "' is defined twice");
        }
        int n = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        float[] v = new float[n];
        switch (init) {
            case TRUNC_NORMAL -> {
                for (int i = 0; i < n; i++) {
                    double z;
                    do {
                        z = rng.nextGaussian();
                    } while (Math.abs(z) > 2);
                    v[i] = (float) (z * std);
                }
            }
            case ZEROS -> { }
            case ONES -> Arrays.fill(v, 1f);
            case CONSTANT -> Arrays.fill(v, (float) value);
        }
        NDArray a = manager.create(v, new Shape(shape));
        a.setRequiresGradient(true);
        arrays.put(name, a);
        this.decay.put(name, decay);
        return a;
    }

    /** A weight matrix ({@link Init#TRUNC_NORMAL}, decayed). */
    NDArray weight(String name, long... shape) {
        return add(name, shape, Init.TRUNC_NORMAL, 0, WeightDecay.APPLIED);
    }

    /** An embedding table or token ({@link Init#TRUNC_NORMAL}, not decayed). */
    NDArray embedding(String name, long... shape) {
        return add(name, shape, Init.TRUNC_NORMAL, 0, WeightDecay.EXEMPT);
    }

    /** A bias ({@link Init#ZEROS}, not decayed). */
    NDArray bias(String name, long... shape) {
        return add(name, shape, Init.ZEROS, 0, WeightDecay.EXEMPT);
    }

    /** A LayerNorm's {@code .weight} (ones) and {@code .bias} (zeros), not decayed. */
    void norm(String prefix, long d) {
        add(prefix + ".weight", new long[] {d}, Init.ONES, 0, WeightDecay.EXEMPT);
        add(prefix + ".bias", new long[] {d}, Init.ZEROS, 0, WeightDecay.EXEMPT);
    }

    /**
     * The parameter {@code name}.
     *
     * @throws IllegalStateException when there is none (a bug: the forward and the definition disagree)
     */
    NDArray get(String name) {
        NDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalStateException("no parameter '" + name + "'; defined: " + arrays.keySet());
        }
        return a;
    }

    /** The names, in creation order. */
    List<String> names() {
        return List.copyOf(arrays.keySet());
    }

    /** The arrays, in creation order. */
    List<NDArray> arrays() {
        return List.copyOf(arrays.values());
    }

    /** Whether weight decay applies to each array, in creation order. */
    List<WeightDecay> decays() {
        return List.copyOf(decay.values());
    }

    /** Total number of values. */
    long count() {
        long n = 0;
        for (NDArray a : arrays.values()) {
            n += a.size();
        }
        return n;
    }

    /** The values, as float32 tensors by name, in creation order (what {@link Safetensors#write} takes). */
    Map<String, Safetensors.Tensor> toTensors() {
        Map<String, Safetensors.Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : arrays.entrySet()) {
            NDArray a = e.getValue();
            out.put(e.getKey(), new Safetensors.Tensor(a.getShape().getShape(), a.toType(DataType.FLOAT32, false).toFloatArray()));
        }
        return Collections.unmodifiableMap(out);
    }

    @Override
    public void close() {
        manager.close();
    }
}
