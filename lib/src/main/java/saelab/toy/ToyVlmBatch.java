package saelab.toy;

import java.util.List;

/**
 * One batch of toy VLM training prompts: the llava-1.5 prompt with its image token expanded to one token per image
 * feature, then the answer and {@code </s>}, rows right-padded with {@code <pad>} to one length.
 *
 * @param ids        {@code [B][T]} token ids
 * @param imageAt    the position of the first image token (the same in every row: the prompt's prefix is fixed)
 * @param answerFrom per row, the position of the first answer token
 * @param answerTo   per row, one past the {@code </s>} that ends the answer (the loss covers {@code [answerFrom, answerTo)})
 * @param questions  the questions, in row order
 */
record ToyVlmBatch(long[][] ids, int imageAt, int[] answerFrom, int[] answerTo, List<ToyQuestion> questions) {

    /** Rows. */
    int size() {
        return ids.length;
    }

    /** Positions per row. */
    int length() {
        return ids[0].length;
    }
}
