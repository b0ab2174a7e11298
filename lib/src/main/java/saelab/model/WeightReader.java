package saelab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;

/**
 * Reads named, shape-checked parameters from a {@link Checkpoint} into the loaders' building blocks
 * (norms, linear maps, fused q/k/v), on one manager, in one compute dtype.
 */
final class WeightReader {

    private final Checkpoint ckpt;
    private final NDManager manager;
    private final DataType dtype;

    WeightReader(Checkpoint ckpt, NDManager manager, DataType dtype) {
        this.ckpt = ckpt;
        this.manager = manager;
        this.dtype = dtype;
    }

    DataType dtype() {
        return dtype;
    }

    NDManager manager() {
        return manager;
    }

    Checkpoint checkpoint() {
        return ckpt;
    }

    boolean has(String name) {
        return ckpt.has(name);
    }

    /** A tensor of the given shape in the compute dtype. */
    NDArray tensor(String name, long... shape) {
        return ckpt.take(name, manager, dtype, shape);
    }

    /** A tensor of the given shape in float32 (position tables, scalars). */
    NDArray float32(String name, long... shape) {
        return ckpt.take(name, manager, DataType.FLOAT32, shape);
    }

    /** A single float stored with any shape of one element ({@code []} or {@code [1]}). */
    float scalar(String name) {
        long[] s = ckpt.shape(name);
        if (Arrays.stream(s).reduce(1, Math::multiplyExact) != 1) {
            throw new IllegalArgumentException(ckpt.where(name) + ": tensor '" + name + "' has shape " + Arrays.toString(s)
                    + ", expected a single value ([] or [1])");
        }
        try (NDArray a = float32(name, s)) {
            return a.toFloatArray()[0];
        }
    }

    /**
     * The stored shape of {@code name}, checked to have rank {@code rank} and, where {@code expected[i] >= 0}, that size.
     *
     * @throws IllegalArgumentException naming the file, the tensor and both shapes
     */
    long[] shape(String name, long... expected) {
        long[] s = ckpt.shape(name);
        boolean ok = s.length == expected.length;
        for (int i = 0; ok && i < s.length; i++) {
            ok = expected[i] < 0 || expected[i] == s[i];
        }
        if (!ok) {
            throw new IllegalArgumentException(ckpt.where(name) + ": tensor '" + name + "' has shape " + Arrays.toString(s) + ", expected "
                    + Arrays.toString(expected).replace("-1", "any"));
        }
        return s;
    }

    /** LayerNorm {@code prefix.weight} and {@code prefix.bias}, both {@code [d]}. */
    NormWeights norm(String prefix, long d, float eps) {
        return new NormWeights(tensor(prefix + ".weight", d), tensor(prefix + ".bias", d), eps);
    }

    /** Linear {@code prefix.weight [out, in]} and, with {@link Bias#PRESENT}, {@code prefix.bias [out]}. */
    LinearWeights linear(String prefix, long out, long in, Bias bias) {
        return new LinearWeights(tensor(prefix + ".weight", out, in), bias == Bias.PRESENT ? tensor(prefix + ".bias", out) : null);
    }

    /** Separate q, k, v linears ({@code [d, d]} each) stacked into one {@code [3d, d]} map. */
    LinearWeights fusedQkv(String q, String k, String v, long d, Bias bias) {
        LinearWeights[] parts = {linear(q, d, d, bias), linear(k, d, d, bias), linear(v, d, d, bias)};
        NDArray w = NDArrays.concat(new NDList(parts[0].weight(), parts[1].weight(), parts[2].weight()), 0);
        NDArray b = bias == Bias.PRESENT ? NDArrays.concat(new NDList(parts[0].bias(), parts[1].bias(), parts[2].bias()), 0) : null;
        for (LinearWeights p : parts) {
            p.weight().close();
            if (p.bias() != null) {
                p.bias().close();
            }
        }
        return new LinearWeights(w, b);
    }

    /** A raw parameter matrix used as {@code x @ P} ({@code [in, out]}, open_clip's {@code proj}), as a {@code [out, in]} linear map. */
    LinearWeights transposedMatrix(String name, long in, long out) {
        try (NDArray p = tensor(name, in, out)) {
            return new LinearWeights(p.transpose().duplicate(), null);
        }
    }
}
