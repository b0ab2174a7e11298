package saelab.lm.moondream;

/**
 * The {@code text} section of a moondream2 {@code config.json} ({@code TextConfig} of the reference
 * {@code moondream/torch/config.py}, github.com/vikhyat/moondream at 44146f1), with its defaults (the
 * real moondream2 values) for absent fields; the decoder is {@link MoondreamText}.
 *
 * @param dim        model width
 * @param ffDim      MLP width
 * @param nLayers    decoder blocks
 * @param vocabSize  vocabulary size
 * @param maxContext context length of the KV cache (the reference hard-codes 2048-wide masks)
 * @param nHeads     query heads
 * @param nKvHeads   key/value heads
 * @param prefixAttn length of the bidirectional image prefix as configured (the reference computes it as 1 + 729 instead)
 * @param groupSize  int4 quantisation group size, or null for unquantised weights
 */
public record MoondreamTextConfig(int dim, int ffDim, int nLayers, int vocabSize, int maxContext, int nHeads, int nKvHeads, int prefixAttn,
                                  Integer groupSize) {

    /** The reference defaults (moondream2's real sizes). */
    public static final MoondreamTextConfig DEFAULTS = new MoondreamTextConfig(2048, 8192, 24, 51200, 2048, 32, 32, 730, null);

    /** Width of one attention head (dim / n_heads). */
    public int headDim() {
        return dim / nHeads;
    }
}
