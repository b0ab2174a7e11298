package saelab.lm.moondream;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * moondream2's rotary position embedding (Su et al. 2021) on part of each head, {@code precompute_freqs_cis}
 * and {@code apply_rotary_emb} of the reference {@code moondream/torch/rope.py} (github.com/vikhyat/moondream
 * at 44146f1) with its defaults (rot_dim 32, theta 10000, not interleaved on input):
 * <ul>
 *   <li>only the first {@code rotDim} dimensions of a head rotate; the rest pass through;</li>
 *   <li>dimension j pairs with dimension j + rotDim/2 (j &lt; rotDim/2) as the real and imaginary parts of
 *       one complex number, frequency 1 / theta^(2j / rotDim), angle = position x frequency in float32;</li>
 *   <li>the rotated pairs are written back INTERLEAVED, (r0', i0', r1', i1', ...), by the reference's
 *       {@code stack(...).flatten(-2)}: queries and keys get the same permutation, so q . k and the
 *       attention output are as with an in-place write-back, but the rotated q and k themselves differ.</li>
 * </ul>
 * The cos and sin tables of every position of the context are computed once, on the host from the
 * float32 angles (the reference takes them from a complex64 {@code exp}; the two agree to about one
 * float32 ulp).
 */
public final class PartialRope implements AutoCloseable {

    /** The reference's rot_dim: the rotated dimensions of a head. */
    public static final int ROT_DIM = 32;
    /** The reference's theta. */
    public static final double THETA = 10000.0;

    private final int rotDim;
    private final int maxContext;
    private final NDArray cos;
    private final NDArray sin;

    /**
     * The tables for positions 0 to {@code maxContext - 1}, on {@code manager} (owned by this object).
     *
     * @param rotDim the rotated dimensions per head (even)
     */
    public PartialRope(int rotDim, double theta, int maxContext, NDManager manager) {
        if (rotDim < 2 || rotDim % 2 != 0 || maxContext < 1) {
            throw new IllegalArgumentException("rotary embedding of " + rotDim + " dimensions over " + maxContext
                    + " positions; expected an even, positive dimension count and at least one position");
        }
        this.rotDim = rotDim;
        this.maxContext = maxContext;
        int half = rotDim / 2;
        float[] freq = new float[half];
        for (int j = 0; j < half; j++) {
            float exponent = (float) (2 * j) / (float) rotDim; // arange(0, dim, 2) / dim in float32
            freq[j] = 1.0f / (float) Math.pow(theta, exponent);
        }
        float[] c = new float[maxContext * half];
        float[] s = new float[maxContext * half];
        for (int p = 0; p < maxContext; p++) {
            for (int j = 0; j < half; j++) {
                float angle = (float) p * freq[j]; // t * freqs in float32
                c[p * half + j] = (float) Math.cos(angle);
                s[p * half + j] = (float) Math.sin(angle);
            }
        }
        this.cos = manager.create(c, new Shape(maxContext, half));
        this.sin = manager.create(s, new Shape(maxContext, half));
    }

    /** The rotated dimensions per head. */
    public int rotDim() {
        return rotDim;
    }

    /** Positions covered by the tables. */
    public int maxContext() {
        return maxContext;
    }

    /** The cos table {@code [maxContext, rotDim / 2]} (owned by this object). */
    public NDArray cosTable() {
        return cos;
    }

    /** The sin table {@code [maxContext, rotDim / 2]} (owned by this object). */
    public NDArray sinTable() {
        return sin;
    }

    /**
     * Rotates {@code x} {@code [B, heads, T, headDim]} whose token t sits at position {@code start + t}; a
     * new array (temporaries go to the caller's scope).
     *
     * @throws IllegalArgumentException when the head is narrower than rotDim or the positions pass the context
     */
    public NDArray apply(NDArray x, long start) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(3) < rotDim) {
            throw new IllegalArgumentException("rotary input has shape " + Arrays.toString(s.getShape()) + "; expected [batch, heads, tokens, "
                    + "head dim >= " + rotDim + "]");
        }
        long t = s.get(2);
        if (start < 0 || start + t > maxContext) {
            throw new IllegalArgumentException("positions " + start + " to " + (start + t - 1) + " are outside the context of " + maxContext);
        }
        int half = rotDim / 2;
        NDArray c = cos.get(new NDIndex("{}:{}", start, start + t));
        NDArray sn = sin.get(new NDIndex("{}:{}", start, start + t));
        NDArray re = x.get(new NDIndex("..., :{}", half));
        NDArray im = x.get(new NDIndex("..., {}:{}", half, rotDim));
        NDArray outRe = re.mul(c).subi(im.mul(sn));
        NDArray outIm = re.mul(sn).addi(im.mul(c));
        NDArray interleaved = NDArrays.stack(new NDList(outRe, outIm), 4).reshape(s.get(0), s.get(1), t, rotDim);
        if (s.get(3) == rotDim) {
            return interleaved;
        }
        NDArray pass = x.get(new NDIndex("..., {}:", rotDim));
        return NDArrays.concat(new NDList(interleaved, pass), 3);
    }

    @Override
    public void close() {
        cos.close();
        sin.close();
    }
}
