package saelab.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Rotary position embeddings (Su et al. 2021) in the "rotate_half" convention of transformers 4.45.2
 * {@code LlamaRotaryEmbedding} / {@code Qwen2RotaryEmbedding} and {@code apply_rotary_pos_emb}: dimension
 * i of a head is paired with dimension i + headDim/2 (not interleaved); with inv_freq_j = 1 / theta^(2j /
 * headDim) and angle = position * inv_freq, x' = x cos + rotate_half(x) sin, rotate_half(x) = cat(-x2, x1),
 * cos and sin being cat(cos(angle), cos(angle)) and the same for sin. As the reference, inv_freq and the
 * angles are computed in float32 (here on the host, one product per element, as the reference's
 * {@code inv_freq @ position_ids} with an inner size of 1) and cos/sin by libtorch in float32.
 */
public final class Rope {

    private final float[] invFreq;
    private final int headDim;

    /**
     * @param headDim the width of one head (even)
     * @param theta   the base ({@code rope_theta})
     */
    public Rope(int headDim, double theta) {
        this.headDim = headDim;
        int half = headDim / 2;
        this.invFreq = new float[half];
        for (int j = 0; j < half; j++) {
            float exponent = (float) (2 * j) / (float) headDim; // arange(0, dim, 2).float() / dim, in float32
            float power = (float) Math.pow((float) theta, exponent);
            invFreq[j] = 1.0f / power;
        }
    }

    /** The inverse frequencies, {@code headDim / 2} values. */
    public float[] inverseFrequencies() {
        return invFreq.clone();
    }

    /**
     * The cos and sin tables of the given positions.
     *
     * @param positions {@code [B][T]} position ids
     * @return {@code [cos, sin]}, each {@code [B, T, 1, headDim]} in {@code dtype} on {@code manager}
     */
    public NDList tables(long[][] positions, NDManager manager, DataType dtype) {
        int b = positions.length;
        int t = positions[0].length;
        int half = headDim / 2;
        float[] angles = new float[b * t * half];
        for (int i = 0; i < b; i++) {
            for (int p = 0; p < t; p++) {
                float pos = (float) positions[i][p];
                int base = (i * t + p) * half;
                for (int j = 0; j < half; j++) {
                    angles[base + j] = invFreq[j] * pos;
                }
            }
        }
        try (NDArray a = manager.create(angles, new Shape(b, t, 1, half));
             NDArray twice = NDArrays.concat(new NDList(a, a), 3)) {
            NDArray cos = twice.cos();
            NDArray sin = twice.sin();
            if (dtype != DataType.FLOAT32) {
                NDArray c = cos.toType(dtype, false);
                NDArray s = sin.toType(dtype, false);
                cos.close();
                sin.close();
                cos = c;
                sin = s;
            }
            return new NDList(cos, sin);
        }
    }

    /**
     * The cos table and a signed sin table of the given positions, for {@link #rotate}: the signed table is
     * cat(-sin(angle), sin(angle)), the sign of rotate_half folded in.
     *
     * @param positions {@code [B][T]} position ids
     * @return {@code [cos, signedSin]}, each {@code [B, T, 1, headDim]} float32 on {@code manager}
     */
    NDList signedTables(long[][] positions, NDManager manager) {
        NDList tables = tables(positions, manager, DataType.FLOAT32);
        long half = headDim / 2;
        try (NDArray sin = tables.get(1);
             NDArray firstHalf = sin.get(new NDIndex("..., :{}", half));
             NDArray negated = firstHalf.neg();
             NDArray secondHalf = sin.get(new NDIndex("..., {}:", half))) {
            return new NDList(tables.get(0), NDArrays.concat(new NDList(negated, secondHalf), 3));
        }
    }

    /**
     * The same numbers as {@link #apply} from the tables of {@link #signedTables}, in fewer operations: rotate_half(x) sin
     * is cat(-x2, x1) sin = cat(x2, x1) cat(-sin, sin), the halves swapped by one flip (the products are the same
     * floats, since (-a) b = a (-b) exactly); a new array.
     *
     * @param x {@code [B, T, heads, headDim]}
     */
    static NDArray rotate(NDArray x, NDArray cos, NDArray signedSin) {
        Shape s = x.getShape();
        long half = s.get(3) / 2;
        try (NDArray split = x.reshape(s.get(0), s.get(1), s.get(2), 2, half);
             NDArray flipped = split.flip(3);
             NDArray swapped = flipped.reshape(s)) {
            return x.mul(cos).addi(swapped.muli(signedSin));
        }
    }

    /**
     * Rotates {@code x} {@code [B, T, heads, headDim]} by the tables of {@link #tables}; a new array.
     */
    public static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        long half = x.getShape().get(3) / 2;
        try (NDArray x1 = x.get(new NDIndex("..., :{}", half));
             NDArray x2 = x.get(new NDIndex("..., {}:", half));
             NDArray neg = x2.neg();
             NDArray rotated = NDArrays.concat(new NDList(neg, x1), 3);
             NDArray rs = rotated.mul(sin)) {
            return x.mul(cos).addi(rs);
        }
    }
}
