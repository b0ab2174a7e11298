package saelab.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Masks and positions of a left-padded batch, as transformers 4.45.2 builds them: the position of a
 * token is the number of real tokens before it ({@code cumsum(attention_mask) - 1}, pads set to 1, what
 * {@code GenerationMixin.prepare_inputs_for_generation} passes), and the additive attention mask lets
 * query i (at sequence index past + i) see key j when j &lt;= past + i and {@code attention_mask[j]} is
 * 1, and gives every other key the most negative float32 ({@code torch.finfo(float32).min}, as the
 * reference's {@code _prepare_4d_causal_attention_mask_with_cache_position}). A finite minimum, not
 * -infinity: a pad query that sees no key gets a uniform softmax instead of NaN, which would leak
 * into real tokens through 0 * NaN.
 */
public final class PaddedBatch {

    /** The value of a masked score, {@code torch.finfo(torch.float32).min}. */
    public static final float MASKED = -Float.MAX_VALUE;

    private PaddedBatch() {}

    /**
     * Position ids from an attention mask: {@code cumsum(mask) - 1} along each row, with 1 at the pads.
     *
     * @param mask {@code [B][S]} of 0 (pad) and 1 (token)
     * @return {@code [B][S]}
     */
    public static long[][] positionIds(long[][] mask) {
        long[][] pos = new long[mask.length][];
        for (int b = 0; b < mask.length; b++) {
            pos[b] = new long[mask[b].length];
            long seen = 0;
            for (int j = 0; j < mask[b].length; j++) {
                seen += mask[b][j];
                pos[b][j] = mask[b][j] == 0 ? 1 : seen - 1;
            }
        }
        return pos;
    }

    /**
     * The additive mask for {@code t} new queries after {@code past} cached positions.
     *
     * @param mask {@code [B][past + t]} of 0 and 1
     * @return {@code [B, 1, 1, t, past + t]} float32 on {@code manager} (broadcast over key/value heads and query groups)
     */
    public static NDArray additiveMask(long[][] mask, long past, int t, NDManager manager) {
        int b = mask.length;
        int s = mask[0].length;
        float[] m = new float[b * t * s];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) {
                long last = past + i;
                int base = (r * t + i) * s;
                for (int j = 0; j < s; j++) {
                    if (j > last || mask[r][j] == 0) {
                        m[base + j] = MASKED;
                    }
                }
            }
        }
        return manager.create(m, new Shape(b, 1, 1, t, s));
    }

    /**
     * Checks an attention mask holds only 0 and 1 in rows of one length.
     *
     * @param what names the mask in the error ("attention_mask")
     * @throws IllegalArgumentException naming the row and column of the first bad value
     */
    static void requireBinary(long[][] mask, String what) {
        for (int b = 0; b < mask.length; b++) {
            if (mask[b].length != mask[0].length) {
                throw new IllegalArgumentException(what + " row " + b + " has " + mask[b].length + " entries, row 0 has " + mask[0].length
                        + "; expected one length");
            }
            for (int j = 0; j < mask[b].length; j++) {
                if (mask[b][j] != 0 && mask[b][j] != 1) {
                    throw new IllegalArgumentException(what + "[" + b + "][" + j + "] is " + mask[b][j] + "; expected 0 (pad) or 1 (token)");
                }
            }
        }
    }

    /** An int64 {@code [B, S]} array as rows. */
    static long[][] rows(NDArray a, String what) {
        Shape s = a.getShape();
        if (s.dimension() != 2) {
            throw new IllegalArgumentException(what + " has shape " + s + "; expected [batch, tokens]");
        }
        int b = (int) s.get(0);
        int n = (int) s.get(1);
        long[] flat;
        if (a.getDataType() == DataType.INT64) {
            flat = a.toLongArray();
        } else {
            try (NDArray cast = a.toType(DataType.INT64, false)) {
                flat = cast.toLongArray();
            }
        }
        long[][] out = new long[b][n];
        for (int i = 0; i < b; i++) {
            System.arraycopy(flat, i * n, out[i], 0, n);
        }
        return out;
    }
}
