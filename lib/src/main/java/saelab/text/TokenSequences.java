package saelab.text;

import java.util.Arrays;

/**
 * The sequence layout shared by the tokenizers: start token, text ids, end token; truncation that keeps the
 * end token last (open_clip's {@code tokenize} and Hugging Face's {@code truncation=True} give the same ids);
 * padding to a fixed length.
 */
final class TokenSequences {

    private TokenSequences() {}

    /**
     * {@code [start] + ids + [end]} (no start when {@code start < 0}), cut to {@code contextLength} ids with
     * the last one replaced by {@code end} when it is too long.
     */
    static int[] wrap(int start, int[] ids, int end, int contextLength) {
        int head = start >= 0 ? 1 : 0;
        if (contextLength < head + 1) {
            throw new IllegalArgumentException("context length " + contextLength + " cannot hold the "
                    + (head == 1 ? "start and end tokens" : "end token") + "; expected at least " + (head + 1));
        }
        int n = Math.min(head + ids.length + 1, contextLength);
        int[] out = new int[n];
        if (head == 1) {
            out[0] = start;
        }
        System.arraycopy(ids, 0, out, head, n - head - 1);
        out[n - 1] = end;
        return out;
    }

    /** Writes {@code ids} into row {@code row} of a {@code [rows, contextLength]} matrix, then {@code pad}. */
    static void padInto(int[] ids, long[] matrix, int row, int contextLength, int pad) {
        if (ids.length > contextLength) {
            throw new IllegalArgumentException(ids.length + " ids do not fit a context of " + contextLength);
        }
        int base = row * contextLength;
        for (int i = 0; i < ids.length; i++) {
            matrix[base + i] = ids[i];
        }
        Arrays.fill(matrix, base + ids.length, base + contextLength, pad);
    }
}
