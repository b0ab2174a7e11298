package saelab.lm;

import ai.djl.ndarray.NDArray;

/**
 * The tokens of one {@link Generation#generate} call.
 *
 * @param newIds     {@code [B][N]} generated ids, N the steps run (fewer than the maximum when every row
 *                   stopped); after its stop token a row holds the pad id
 * @param stepLogits {@code [B, N, V]} raw logits of each step (step 0: the prompt's last position), or null
 *                   when not kept; on the manager of the input embeddings
 */
public record GenerationResult(long[][] newIds, NDArray stepLogits) implements AutoCloseable {

    /** The steps run. */
    public int steps() {
        return newIds.length == 0 ? 0 : newIds[0].length;
    }

    @Override
    public void close() {
        if (stepLogits != null) {
            stepLogits.close();
        }
    }
}
