package saelab.lm.moondream;

/**
 * The tokens moondream2 generated for one query.
 *
 * @param ids        the answer's token ids, without the end-of-sequence token
 * @param stepLogits the raw logits {@code [steps][V]} (row 0: the prompt's last position; row k: decode step k,
 *                   before the answer id is masked), or null when not kept; as the reference, a decode step
 *                   runs after every emitted token, so there is one row more than {@code ids} unless the
 *                   context ran out
 * @param stop       why generation ended
 */
public record MoondreamAnswer(long[] ids, float[][] stepLogits, Stop stop) {

    /** Why generation ended. */
    public enum Stop {
        /** The end-of-sequence token was chosen (it is not part of the ids). */
        EOS,
        /** The maximum number of tokens was emitted. */
        MAX_TOKENS,
        /** The context (2048 positions) was full; the reference would raise an IndexError here instead. */
        CONTEXT
    }

    /** Copies the ids. */
    public MoondreamAnswer {
        ids = ids.clone();
    }

    @Override
    public long[] ids() {
        return ids.clone();
    }
}
