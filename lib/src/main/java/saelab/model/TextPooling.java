package saelab.model;

/**
 * Which token of a text tower's normed sequence is pooled (0-based positions).
 * <ul>
 *   <li>{@link Kind#ARGMAX}: the position of the largest id in the row, first one on ties. OpenAI
 *       CLIP and open_clip ({@code text.argmax(dim=-1)}: the end-of-text id 49407 is the largest id),
 *       and Hugging Face CLIP when the config carries the legacy {@code eos_token_id = 2}.</li>
 *   <li>{@link Kind#FIRST_EOS}: the first position holding {@code eosId} (Hugging Face CLIP with a
 *       current config); a row without it pools position 0, as {@code argmax} of an all-false row does.</li>
 *   <li>{@link Kind#LAST}: the last position (SigLIP, whose rows are always padded to full length).</li>
 * </ul>
 *
 * @param kind  the rule
 * @param eosId the end-of-sequence id for {@link Kind#FIRST_EOS}
 */
public record TextPooling(Kind kind, long eosId) {

    /** The pooling rules. */
    public enum Kind { ARGMAX, FIRST_EOS, LAST }

    /** Largest id, first on ties. */
    public static TextPooling argmax() {
        return new TextPooling(Kind.ARGMAX, -1);
    }

    /** First position of {@code eosId}. */
    public static TextPooling firstEos(long eosId) {
        return new TextPooling(Kind.FIRST_EOS, eosId);
    }

    /** Last position. */
    public static TextPooling last() {
        return new TextPooling(Kind.LAST, -1);
    }

    /** The pooled position of one row of ids. */
    public int position(long[] ids) {
        return switch (kind) {
            case LAST -> ids.length - 1;
            case ARGMAX -> {
                int best = 0;
                for (int i = 1; i < ids.length; i++) {
                    if (ids[i] > ids[best]) {
                        best = i;
                    }
                }
                yield best;
            }
            case FIRST_EOS -> {
                for (int i = 0; i < ids.length; i++) {
                    if (ids[i] == eosId) {
                        yield i;
                    }
                }
                yield 0;
            }
        };
    }
}
