package saelab.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Sha256;

/** The BPE vocabulary as open_clip builds it, the bundled copy, and refusal of damaged files. */
class BpeVocabularyTest {

    @TempDir
    Path dir;

    private static BpeVocabulary vocab;

    @BeforeAll
    static void load() {
        vocab = BpeVocabulary.openClip(Golden.bpeGz());
    }

    @Test
    void hasOpenClipsLayout() {
        assertEquals(49408, vocab.size());
        assertEquals(BpeVocabulary.MERGES, vocab.mergeCount());
        assertEquals(49406, vocab.startId());
        assertEquals(49407, vocab.endId());
        assertEquals(0, vocab.id("!"));                     // byte 33 comes first
        assertEquals(256, vocab.id("!</w>"));
        assertEquals(512, vocab.id("in"));                  // the first merge "i n"
        assertEquals(49405, vocab.id("jekyll</w>"));        // the last merge kept, "jeky ll</w>" on line 48,895
        assertEquals(-1, vocab.rank(vocab.id("ha"), vocab.id("bib</w>")), "merges after line 48,895 are not used");
        assertEquals(vocab.id("jekyll</w>"), vocab.mergedId(BpeVocabulary.MERGES - 1));
        assertEquals(0, vocab.rank(vocab.byteId('i'), vocab.byteId('n')));
        assertEquals(-1, vocab.rank(vocab.byteEndId('a'), vocab.byteId('b')), "nothing follows a word end");
        assertEquals(vocab.id("in"), vocab.mergedId(0));
    }

    @Test
    void byteTableIsABijectionOntoPrintableCharacters() {
        Set<Character> seen = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            char c = ByteUnicode.charOf(b);
            assertTrue(seen.add(c), "byte " + b);
            assertTrue(!Character.isWhitespace(c) && !Character.isISOControl(c), "byte " + b + " maps to " + (int) c);
        }
        assertEquals('!', ByteUnicode.charOf('!'));
        assertEquals('\u0100', ByteUnicode.charOf(0));
        assertEquals('\u0120', ByteUnicode.charOf(' '));    // GPT-2's 'Ġ'
        assertEquals('\u0143', ByteUnicode.charOf(0xAD));   // the 68th and last remapped byte
    }

    @Test
    void bundledVocabularyIsTheFixtureFile() throws IOException {
        try (InputStream in = ClipTokenizer.class.getResourceAsStream(ClipTokenizer.BUNDLED_VOCABULARY)) {
            assertEquals(Sha256.of(Files.readAllBytes(Golden.bpeGz())), Sha256.of(in.readAllBytes()));
        }
        assertEquals("924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a", Sha256.of(Files.readAllBytes(Golden.bpeGz())));
    }

    private Path gz(String name, String text) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(buf)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        Path p = dir.resolve(name);
        Files.write(p, buf.toByteArray());
        return p;
    }

    @Test
    void refusesDamagedOpenClipFiles() throws IOException {
        Path shortFile = gz("short.txt.gz", "#version: 0.2\ni n\nt h\n");
        String m = assertThrows(IllegalArgumentException.class, () -> BpeVocabulary.openClip(shortFile)).getMessage();
        assertTrue(m.contains("short.txt.gz") && m.contains("has 3 merge lines") && m.contains("48894"), m);

        byte[] real = Files.readAllBytes(Golden.bpeGz());
        Path cut = dir.resolve("cut.txt.gz");
        Files.write(cut, Arrays.copyOf(real, real.length / 2));
        m = assertThrows(IllegalArgumentException.class, () -> BpeVocabulary.openClip(cut)).getMessage();
        assertTrue(m.contains("cut.txt.gz") && m.contains("not a complete gzip file"), m);

        Path plain = dir.resolve("plain.txt.gz");
        Files.writeString(plain, "not gzip");
        assertThrows(IllegalArgumentException.class, () -> BpeVocabulary.openClip(plain));

        StringBuilder bad = new StringBuilder("#version\n");
        for (int i = 0; i < BpeVocabulary.MERGES; i++) {
            bad.append(i == 5 ? "three parts here" : "a b").append('\n');
        }
        Path badLine = gz("bad.txt.gz", bad.toString());
        m = assertThrows(IllegalArgumentException.class, () -> BpeVocabulary.openClip(badLine)).getMessage();
        assertTrue(m.contains("line 7 is 'three parts here'; expected a merge of two symbols"), m);

        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> BpeVocabulary.openClip(dir.resolve("none.gz")));
        assertTrue(e.getMessage().contains("none.gz does not exist"), e.getMessage());
    }

    @Test
    void refusesInconsistentHuggingFaceFiles() throws IOException {
        ClipGolden.writeHuggingFaceFiles(dir);
        Path vocabJson = dir.resolve("vocab.json");
        Path merges = dir.resolve("merges.txt");
        Path noHeader = dir.resolve("noheader.txt");
        Files.writeString(noHeader, "i n\nt h\n");
        String m = assertThrows(IllegalArgumentException.class, () -> BpeVocabulary.huggingFace(vocabJson, noHeader)).getMessage();
        assertTrue(m.contains("noheader.txt: line 1 is 'i n'; expected a '#version' header"), m);

        Path unknownMerge = dir.resolve("unknown.txt");
        Files.writeString(unknownMerge, "#version: 0.2\ni n\n\u1E91 q\n");
        m = assertThrows(IllegalArgumentException.class, () -> BpeVocabulary.huggingFace(vocabJson, unknownMerge)).getMessage();
        assertTrue(m.contains("lacks '\u1E91', a part of the merge on line 3"), m);

        Path smallVocab = dir.resolve("small.json");
        Files.writeString(smallVocab, "{\"a\": 0}");
        m = assertThrows(IllegalArgumentException.class, () -> BpeVocabulary.huggingFace(smallVocab, merges)).getMessage();
        assertTrue(m.contains("small.json") && m.contains("lacks the symbol of byte 0"), m);

        Path notJson = dir.resolve("bad.json");
        Files.writeString(notJson, "[1, 2");
        m = assertThrows(IllegalArgumentException.class, () -> BpeVocabulary.huggingFace(notJson, merges)).getMessage();
        assertTrue(m.contains("bad.json: expected a JSON object of token to integer id"), m);

        String withoutSpecials = Files.readString(vocabJson).replace("\"<|startoftext|>\"", "\"<|start|>\"");
        Path noStart = dir.resolve("nostart.json");
        Files.writeString(noStart, withoutSpecials);
        m = assertThrows(IllegalArgumentException.class, () -> BpeVocabulary.huggingFace(noStart, merges)).getMessage();
        assertTrue(m.contains("lacks the start token ('<|startoftext|>')"), m);
    }
}
