package saelab.store;

import java.util.List;
import java.util.Locale;

/**
 * The "layers" a cache can record: a block output {@code resid_post[L]} (0-based block index L &gt;= 0)
 * or one of two reserved indices for what a vision tower computes after its last block:
 * <ul>
 *   <li>{@link #FINAL} ({@code final}, stored as -2): the final-normed token sequence, the tower's final
 *       norm applied to every token of the last block's output (DINOv2's {@code layernorm}, open_clip's
 *       {@code ln_post}, CLIP's {@code post_layernorm}, SigLIP's {@code post_layernorm});</li>
 *   <li>{@link #POOLED} ({@code pooled}, stored as -3): the pooled output before any projection (the
 *       normed class token of DINOv2, CLIP and open_clip; SigLIP's attention-pool (MAP) output). It is one
 *       vector per image; because every layer slot of a cache holds the same stored tokens, the vector is
 *       written at every stored token position (read any one, e.g. token 0);</li>
 *   <li>{@link #PROJECTION} ({@code projection}, stored as -4): moondream2's projection input, the global crop's features
 *       beside the stitched and pooled local crops' features (27 × 27 tokens, no class token), what its language model
 *       reads through the projection; only a moondream2 capture records it.</li>
 * </ul>
 * -1 is left free: it means the embeddings (resid_pre[0]) in {@code VisionTower.forwardFrom}.
 */
public final class RecordedLayer {

    /** Reserved index of the final-normed tokens. */
    public static final int FINAL = -2;
    /** Reserved index of the pooled output (before projection). */
    public static final int POOLED = -3;
    /** Reserved index of moondream2's projection input. */
    public static final int PROJECTION = -4;

    private RecordedLayer() {}

    /** Whether {@code layer} is a block index (&gt;= 0) or one of the reserved indices. */
    public static boolean isValid(int layer) {
        return layer >= 0 || layer == FINAL || layer == POOLED || layer == PROJECTION;
    }

    /** Whether {@code layer} is {@link #FINAL} or {@link #POOLED}. */
    public static boolean isReserved(int layer) {
        return layer == FINAL || layer == POOLED;
    }

    /** {@code final}, {@code pooled}, {@code projection}, or the block index as text. */
    public static String name(int layer) {
        return switch (layer) {
            case FINAL -> "final";
            case POOLED -> "pooled";
            case PROJECTION -> "projection";
            default -> Integer.toString(layer);
        };
    }

    /** The names of {@code layers}, e.g. {@code [10, 11, final]}. */
    public static String names(List<Integer> layers) {
        return layers.stream().map(RecordedLayer::name).toList().toString();
    }

    /**
     * Parses a block index ({@code 0}, {@code 11}) or {@code final} / {@code pooled} / {@code projection}.
     *
     * @param option the option or field, for the error
     * @throws IllegalArgumentException naming the option and what is accepted
     */
    public static int parse(String text, String option) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        switch (t) {
            case "final" -> {
                return FINAL;
            }
            case "pooled" -> {
                return POOLED;
            }
            case "projection" -> {
                return PROJECTION;
            }
            default -> {
                try {
                    int l = Integer.parseInt(t);
                    if (l >= 0) {
                        return l;
                    }
                } catch (NumberFormatException e) {
                    // falls through to the sentence below
                }
                throw new IllegalArgumentException(option + ": '" + (text == null ? "" : text.strip())
                        + "' is not a layer; expected a 0-based block index, final, pooled or projection (moondream2)");
            }
        }
    }
}
