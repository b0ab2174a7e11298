package saelab.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading {@code ModelProto} files, and refusing what is not a supported SentencePiece model. */
class SentencePieceModelTest {

    @TempDir
    Path dir;

    @Test
    void readsPiecesScoresTypesAndNormalizer() throws IOException {
        Path file = dir.resolve("spiece.model");
        Files.write(file, UnigramSegmenterTest.vocabulary().whitespace(false, true, false).bytes());
        SentencePieceModel m = SentencePieceModel.read(file);
        assertEquals(21, m.size());
        assertEquals(new SentencePieceModel.Piece("</s>", 0f, SentencePieceModel.PieceType.CONTROL), m.pieces().get(1));
        assertEquals(new SentencePieceModel.Piece("▁photo", -6f, SentencePieceModel.PieceType.NORMAL), m.pieces().get(11));
        assertEquals(2, m.unknownId());
        assertEquals(5, m.id("▁cat"));
        assertEquals(-1, m.id("dog"));
        assertEquals(new SentencePieceModel.NormalizerSpec("nmt_nfkc", true, false, true, false), m.normalizer());
        assertTrue(m.source().endsWith("spiece.model"));
    }

    @Test
    void normalizerDefaultsAreSentencePiecesDefaults() {
        SentencePieceModel.NormalizerSpec n = SpModelBytes.t5Style().piece("a", -1f).model().normalizer();
        assertTrue(n.addDummyPrefix() && n.removeExtraWhitespaces() && n.escapeWhitespaces());
    }

    private static String rejected(byte[] bytes) {
        return assertThrows(IllegalArgumentException.class, () -> SentencePieceModel.parse(bytes, "x/spiece.model")).getMessage();
    }

    @Test
    void refusesWhatItCannotEncodeCorrectly() {
        assertTrue(rejected(SpModelBytes.t5Style().piece("a", -1f).modelType(2).bytes()).contains("model_type is 2; expected 1 (unigram)"));
        assertTrue(rejected(SpModelBytes.t5Style().piece("a", -1f).byteFallback().bytes()).contains("byte_fallback"));
        assertTrue(rejected(SpModelBytes.t5Style().piece("<0x41>", 0f, SpModelBytes.BYTE).bytes()).contains("byte piece"));
        assertTrue(rejected(new SpModelBytes().piece("a", -1f).bytes()).contains("no piece has type unknown"));
        assertTrue(rejected(SpModelBytes.t5Style().piece("a", -1f).piece("a", -2f).bytes()).contains("'a' is already defined"));
        assertTrue(rejected(SpModelBytes.t5Style().piece("", -1f).bytes()).contains("piece 3 is empty"));
        assertTrue(rejected(SpModelBytes.t5Style().piece("a", -1f, 9).bytes()).contains("type is 9"));
    }

    @Test
    void refusesBytesThatAreNotAModelProto() {
        String m = rejected("this is a text file, not a protobuf".getBytes());
        assertTrue(m.startsWith("x/spiece.model: "), m);
        byte[] good = SpModelBytes.t5Style().piece("a", -1f).bytes();
        String truncated = rejected(Arrays.copyOf(good, good.length - 3));
        assertTrue(truncated.contains("x/spiece.model"), truncated);
        assertTrue(rejected(new byte[0]).contains("has no pieces"));
    }

    @Test
    void aMissingFileIsAnIoError() {
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> SentencePieceModel.read(dir.resolve("nope.model")));
        assertTrue(e.getMessage().contains("nope.model does not exist"), e.getMessage());
    }

    @Test
    void unsupportedNormalizerRulesAreRefused() {
        SentencePieceModel m = SpModelBytes.t5Style().piece("a", -1f).normalizer("nmt_nfkc_cf", true).model();
        String msg = assertThrows(IllegalArgumentException.class, () -> SentencePieceNormalizer.of(m)).getMessage();
        assertTrue(msg.contains("normalizer_spec.name is 'nmt_nfkc_cf'"), msg);
        assertFalse(SpModelBytes.t5Style().piece("a", -1f).normalizer("nmt_nfkc_cf", false).model().normalizer().hasPrecompiledCharsmap());
        // without a compiled map SentencePiece does not normalize, whatever the name: accepted as identity
        SentencePieceNormalizer.of(SpModelBytes.t5Style().piece("a", -1f).normalizer("nmt_nfkc_cf", false).model());
    }
}
