package saelab.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.sentencepiece.SpTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * saelab's pure-Java normalizer and unigram segmenter against SentencePiece's own C++ library (through DJL's
 * binding, whose native library ships in its jar), on small hand-made models with the identity normalizer, over
 * random texts of a few letters, spaces, an uncovered letter, a letter outside the BMP and literal '▁'.
 */
class SentencePieceCrossCheckTest {

    private static final String[] ATOMS = {"a", "b", "c", "ab", "ca", " ", " ", "  ", "x", "ψ", "\uD83D\uDC08", "▁", "abc"};

    static SpModelBytes model(String variant) {
        SpModelBytes m = SpModelBytes.t5Style()
                .piece("▁", -3f).piece("▁a", -2f).piece("▁ab", -4.5f).piece("b", -2.5f).piece("c", -3.5f)
                .piece("bc", -4f).piece("a", -2.2f).piece("▁abc", -9f).piece("ca", -2.75f).piece("▁c", -3.25f)
                .piece("abca", -7.5f).piece("▁b", -2.5f).piece("ψ", -6f).piece("bb", -4.75f)
                .normalizer("identity", false);
        return switch (variant) {
            case "default" -> m;
            case "no-dummy-prefix" -> m.whitespace(false, true, true);
            case "keep-whitespace" -> m.whitespace(true, false, true);
            case "no-escape" -> m.whitespace(true, true, false).piece(" a", -1.5f);
            case "user-defined-and-unused" -> m.piece("cab", -1f, SpModelBytes.USER_DEFINED).piece("bca", -0.5f, SpModelBytes.UNUSED);
            default -> throw new IllegalArgumentException(variant);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "no-dummy-prefix", "keep-whitespace", "no-escape", "user-defined-and-unused"})
    void idsEqualSentencePiece(String variant) {
        SpModelBytes bytes = model(variant);
        SentencePieceModel model = bytes.model();
        SentencePieceNormalizer normalizer = SentencePieceNormalizer.of(model);
        UnigramSegmenter segmenter = new UnigramSegmenter(model);
        SplittableRandom rnd = new SplittableRandom(42);
        List<String> mismatches = new ArrayList<>();
        try (SpTokenizer reference = new SpTokenizer(bytes.bytes())) {
            for (int n = 0; n < 400; n++) {
                StringBuilder text = new StringBuilder();
                int atoms = rnd.nextInt(9);
                for (int i = 0; i < atoms; i++) {
                    text.append(ATOMS[rnd.nextInt(ATOMS.length)]);
                }
                String t = text.toString();
                int[] expected = reference.getProcessor().encode(t);
                int[] got = segmenter.segment(normalizer.normalize(t, model.normalizer().addDummyPrefix()));
                if (!Arrays.equals(expected, got)) {
                    mismatches.add("'" + t + "': SentencePiece " + Arrays.toString(expected) + ", saelab " + Arrays.toString(got));
                }
            }
        }
        assertEquals(List.of(), mismatches);
    }
}
