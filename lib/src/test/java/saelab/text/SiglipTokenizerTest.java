package saelab.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The SigLIP tokenizer on a hand-made model (ids in {@link UnigramSegmenterTest#vocabulary()}): Hugging Face's
 * canonicalization, the nmt_nfkc normalizer, {@code </s>}, truncation and padding.
 */
class SiglipTokenizerTest {

    private final SiglipTokenizer tok = SiglipTokenizer.of(UnigramSegmenterTest.vocabulary().model(), 64);

    @Test
    void endTokenIsAppendedAndThereIsNoStartToken() {
        assertArrayEquals(new int[] {4, 5, 1}, tok.encode("a cat"));
        assertEquals(-1, tok.startTokenId());
        assertEquals(1, tok.endTokenId());
        assertEquals(1, tok.padTokenId());
        assertEquals(Padding.PAD_TOKEN, tok.defaultPadding());
        assertEquals(21, tok.vocabularySize());
    }

    @Test
    void canonicalizationLowersDeletesAsciiPunctuationAndCollapsesSpaces() {
        assertEquals("a photo of a cat", SiglipTokenizer.canonicalize("  A Photo, of: a CAT!!\t"));
        assertEquals("▁a▁photo▁of▁a▁cat", tok.normalized("  A Photo, of: a CAT!!\t"));
        assertArrayEquals(new int[] {4, 12, 13, 14, 4, 5, 1}, tok.encode("A Photo, of: a CAT!!"));
        assertEquals("its a cats life", SiglipTokenizer.canonicalize("it's a cat's life"), "the apostrophe is deleted, not a space");
        assertEquals("a cat", SiglipTokenizer.canonicalize("a▁cat"), "'▁' in the text is a space");
        assertEquals("σσ ς", SiglipTokenizer.canonicalize("ΣΣ ς"), "lower case one character at a time, no final sigma");
        assertEquals("a b", SiglipTokenizer.canonicalize("a\u00A0\u2003b"), "Python whitespace includes no-break and em spaces");
    }

    @Test
    void nmtNfkcNormalization() {
        // full-width letters: lower-cased, then NFKC to ASCII
        assertArrayEquals(new int[] {4, 5, 1}, tok.encode("Ａ ＣＡＴ"));
        // zero-width space is a space for nmt_nfkc; control characters are removed
        assertEquals("▁a▁cat", tok.normalized("a\u200Bcat"));
        assertEquals("▁cat", tok.normalized("c\u0007at"));
        // full-width tilde is kept by nmt_nfkc (and is not covered by this vocabulary)
        assertEquals("▁a\uFF5E", tok.normalized("a\uFF5E"));
        // without a compiled character map (or with "identity") nothing is mapped
        SiglipTokenizer identity = SiglipTokenizer.of(UnigramSegmenterTest.vocabulary().normalizer("nmt_nfkc", false).model(), 64);
        assertEquals("▁a\u200Bcat", identity.normalized("a\u200Bcat"));
    }

    @Test
    void unknownCharactersBecomeIdTwoOncePerRun() {
        assertArrayEquals(new int[] {4, 3, 2, 5, 1}, tok.encode("a ψψψ cat"));
        assertArrayEquals(new int[] {4, 3, 2, 15, 2, 1}, tok.encode("a dog"));
    }

    @Test
    void emptyOrPunctuationOnlyTextIsTheEndTokenAlone() {
        assertArrayEquals(new int[] {1}, tok.encode(""));
        assertArrayEquals(new int[] {1}, tok.encode(" !?. "));
    }

    @Test
    void truncationKeepsTheEndTokenLast() {
        assertArrayEquals(new int[] {4, 5, 4, 5, 1}, tok.encode("a cat a cat", 64));
        assertArrayEquals(new int[] {4, 5, 1}, tok.encode("a cat a cat", 3));
        assertArrayEquals(new int[] {1}, tok.encode("a cat a cat", 1));
        assertThrows(IllegalArgumentException.class, () -> tok.encode("a", 0));
    }

    @Test
    void batchesArePaddedWithTheEndTokenOrZeros() {
        assertArrayEquals(new long[] {4, 5, 1, 1, 1, 1, 8, 1, 1, 1, 1, 1}, tok.encodeBatch(List.of("a cat", "C"), 6, Padding.PAD_TOKEN));
        assertArrayEquals(new long[] {4, 5, 1, 0, 0, 0}, tok.encodeBatch(List.of("a cat"), 6, Padding.ZERO));
        assertEquals(64, tok.encodeBatch(List.of("a cat")).length);
    }

    @Test
    void aModelWithoutEndPieceIsRefused() {
        SentencePieceModel m = new SpModelBytes().piece("<unk>", 0f, SpModelBytes.UNKNOWN).piece("a", -1f).model();
        String msg = assertThrows(IllegalArgumentException.class, () -> SiglipTokenizer.of(m, 64)).getMessage();
        assertEquals("test model: has no '</s>' piece; expected the end-of-sequence token", msg);
    }
}
