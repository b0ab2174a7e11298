package saelab.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** Viterbi segmentation against results computed by hand from the piece scores. */
class UnigramSegmenterTest {

    /**
     * Ids 0-2 are {@code <pad> </s> <unk>}; the lowest normal score is -9, so an unknown character costs -19.
     */
    static SpModelBytes vocabulary() {
        return SpModelBytes.t5Style()
                .piece("▁", -3f)        // 3
                .piece("▁a", -2f)       // 4
                .piece("▁cat", -5f)     // 5
                .piece("▁ca", -3f)      // 6
                .piece("t", -2.5f)      // 7
                .piece("▁c", -4f)       // 8
                .piece("a", -2f)        // 9
                .piece("c", -4.5f)      // 10
                .piece("▁photo", -6f)   // 11
                .piece("▁pho", -3.5f)   // 12
                .piece("to", -2f)       // 13
                .piece("▁of", -2.5f)    // 14
                .piece("o", -3f)        // 15
                .piece("f", -3f)        // 16
                .piece("s", -3f)        // 17
                .piece("▁cats", -9f)    // 18
                .piece("h", -4f)        // 19
                .piece("p", -4f);       // 20
    }

    private static int[] segment(SpModelBytes vocab, String normalized) {
        return new UnigramSegmenter(vocab.model()).segment(normalized);
    }

    @Test
    void wholeWordBeatsItsParts() {
        // ▁a ▁cat = -2 - 5 = -7 beats ▁a ▁ca t = -7.5 and ▁a ▁c a t = -10.5
        assertArrayEquals(new int[] {4, 5}, segment(vocabulary(), "▁a▁cat"));
    }

    @Test
    void partsBeatAWholeWordWithALowerScore() {
        // ▁pho to = -5.5 beats ▁photo = -6
        assertArrayEquals(new int[] {4, 12, 13}, segment(vocabulary(), "▁a▁photo"));
        // ▁cat s = -8 beats ▁cats = -9 and ▁ca t s = -8.5
        assertArrayEquals(new int[] {5, 17}, segment(vocabulary(), "▁cats"));
    }

    @Test
    void uncoveredCharactersAreUnknownAndARunIsOneUnknown() {
        // ▁a, then ▁ alone (-3), d unknown, o, g unknown
        assertArrayEquals(new int[] {4, 3, 2, 15, 2}, segment(vocabulary(), "▁a▁dog"));
        // x y z: three unknown nodes, reported as one
        assertArrayEquals(new int[] {3, 2}, segment(vocabulary(), "▁xyz"));
        // a character outside the BMP is one character
        assertArrayEquals(new int[] {4, 3, 2, 5}, segment(vocabulary(), "▁a▁\uD83D\uDC08\uD83D\uDC08▁cat"));
    }

    @Test
    void singleCharacterPiecesAreUsedBeforeUnknowns() {
        // 'c' has its own piece (-4.5), so "▁" + "c" (-7.5) is used, not an unknown
        assertArrayEquals(new int[] {8}, segment(vocabulary(), "▁c"));
        // ▁ ▁c = -7 beats ▁ ▁ c = -10.5
        assertArrayEquals(new int[] {3, 8}, segment(vocabulary(), "▁▁c"));
    }

    @Test
    void onEqualScoresTheEarlierStartWins() {
        SpModelBytes tie = SpModelBytes.t5Style().piece("▁", -1f).piece("▁a", -1f).piece("ab", -1f).piece("b", -1f).piece("a", -5f);
        // ▁ ab and ▁a b both score -2; SentencePiece keeps the path reaching the end from the earlier start (ab)
        assertArrayEquals(new int[] {3, 5}, segment(tie, "▁ab"));
    }

    @Test
    void unusedPiecesNeverMatchAndUserDefinedPiecesAlwaysDo() {
        SpModelBytes v = SpModelBytes.t5Style().piece("▁", -1f).piece("a", -1f).piece("b", -1f)
                .piece("ab", -0.1f, SpModelBytes.UNUSED)                 // 6: would win, but is unused
                .piece("ba", -100f, SpModelBytes.USER_DEFINED);          // 7: scored 2 bytes * max score - 0.1
        assertArrayEquals(new int[] {3, 4, 5}, segment(v, "▁ab"));
        // SentencePiece's max score starts at FLT_MIN (positive), so with negative normal scores "ba" scores
        // 2 bytes * 1.2e-38 - 0.1 = -0.1, against b a = -2
        assertArrayEquals(new int[] {3, 7}, segment(v, "▁ba"));
    }

    @Test
    void emptyTextHasNoPieces() {
        assertArrayEquals(new int[0], segment(vocabulary(), ""));
    }
}
