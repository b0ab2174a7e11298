package saelab.lm;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What one {@link DecoderLm#forward} returns; arrays live on the manager of the input embeddings.
 *
 * @param blocks    the residual stream after each decoder layer, {@code [B, T, D]} each (empty unless
 *                  {@link DecoderLm.Keep#EVERY_BLOCK})
 * @param finalNorm the final RMSNorm of the last block {@code [B, T, D]}, or null unless {@link DecoderLm.Keep#EVERY_BLOCK}
 * @param logits    {@code [B, T, V]}, or {@code [B, 1, V]} (the last position only) with {@link DecoderLm.Keep#LAST_LOGITS}
 */
public record LmOutput(List<NDArray> blocks, NDArray finalNorm, NDArray logits) implements AutoCloseable {

    @Override
    public void close() {
        blocks.forEach(NDArray::close);
        if (finalNorm != null) {
            finalNorm.close();
        }
        logits.close();
    }
}
