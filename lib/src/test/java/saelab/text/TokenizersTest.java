package saelab.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Choosing the tokenizer and its context length from a model folder. */
class TokenizersTest {

    @TempDir
    Path dir;

    private Path folder(String name) throws IOException {
        return Files.createDirectories(dir.resolve(name));
    }

    private static String error(Path folder) {
        return assertThrows(IllegalArgumentException.class, () -> Tokenizers.fromFolder(folder)).getMessage();
    }

    @Test
    void siglipFolderWithContextLengthFromConfig() throws IOException {
        Path f = folder("siglip");
        Files.write(f.resolve("spiece.model"), UnigramSegmenterTest.vocabulary().bytes());
        Tokenizer t = Tokenizers.fromFolder(f);
        assertInstanceOf(SiglipTokenizer.class, t);
        assertEquals(64, t.contextLength(), "SigLIP's default");
        Files.copy(Golden.path("siglip", "config.json"), f.resolve("config.json"));
        t = Tokenizers.fromFolder(f);
        assertEquals(16, t.contextLength(), "text_config.max_position_embeddings of the fixture");
        assertArrayEquals(new long[] {4, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, t.encodeBatch(java.util.List.of("a cat")));
    }

    @Test
    void huggingFaceClipFolder() throws IOException {
        Path f = folder("clip");
        ClipGolden.writeHuggingFaceFiles(f);
        Tokenizer t = Tokenizers.fromFolder(f);
        assertEquals(ClipTokenizer.Reference.HUGGING_FACE, ((ClipTokenizer) t).reference());
        assertEquals(77, t.contextLength());
        assertEquals(Padding.PAD_TOKEN, t.defaultPadding());
        Files.writeString(f.resolve("config.json"), "{\"model_type\": \"clip\", \"text_config\": {\"max_position_embeddings\": 12, \"vocab_size\": 49408}}");
        t = Tokenizers.fromFolder(f);
        assertEquals(12, t.contextLength());
        int[] ids = t.encode("a photo of a cat on a mat in a hat with a bat");
        assertEquals(12, ids.length);
        assertEquals(49407, ids[11]);
    }

    @Test
    void openClipFolderWithItsOwnVocabularyFile() throws IOException {
        Path f = folder("oc");
        Files.copy(Golden.bpeGz(), f.resolve("bpe_simple_vocab_16e6.txt.gz"));
        Tokenizer t = Tokenizers.fromFolder(f);
        assertEquals(ClipTokenizer.Reference.OPEN_CLIP, ((ClipTokenizer) t).reference());
        assertEquals(Padding.ZERO, t.defaultPadding());
        assertArrayEquals(new int[] {49406, 320, 1125, 539, 320, 2368, 49407}, t.encode("a photo of a cat"));
    }

    @Test
    void bioclipLayoutUsesTheBundledVocabularyAndRefusesATooSmallTokenTable() throws IOException {
        // the fixture's tiny model has 1,000 token rows: the real vocabulary does not fit it
        String m = error(Golden.path("bioclip"));
        assertTrue(m.contains("open_clip_config.json: model_cfg.text_cfg.vocab_size is 1000 but the tokenizer has 49408 ids"), m);
        Path f = folder("bioclip");
        Files.writeString(f.resolve("open_clip_config.json"),
                "{\"model_cfg\": {\"embed_dim\": 512, \"text_cfg\": {\"context_length\": 20, \"vocab_size\": 49408}}}");
        Tokenizer t = Tokenizers.fromFolder(f);
        assertEquals(20, t.contextLength());
        assertTrue(t.toString().contains("bundled") || t.toString().contains("saelab resource"), t.toString());
        assertArrayEquals(new int[] {49406, 320, 1125, 539, 320, 2368, 49407}, t.encode("a photo of a cat"));
    }

    @Test
    void foldersWithoutTokenizerFilesNameWhatIsExpected() throws IOException {
        Path empty = folder("empty");
        String m = error(empty);
        assertTrue(m.startsWith(empty + ": no tokenizer files; expected spiece.model (SigLIP), vocab.json and merges.txt"), m);
        assertTrue(error(Golden.path("clip")).contains("no tokenizer files"), "the CLIP fixture folder has none");
        assertTrue(error(Golden.path("siglip")).contains("model_type 'siglip' but there is no spiece.model"));
        assertTrue(error(dir.resolve("missing")).contains("does not exist or is not a folder"));

        Path half = folder("half");
        Files.writeString(half.resolve("vocab.json"), "{}");
        assertTrue(error(half).contains("has vocab.json but not merges.txt"));

        Path badConfig = folder("badconfig");
        Files.copy(Golden.bpeGz(), badConfig.resolve("bpe_simple_vocab_16e6.txt.gz"));
        Files.writeString(badConfig.resolve("open_clip_config.json"), "{\"model_cfg\": {\"text_cfg\": {\"context_length\": \"long\"}}}");
        m = error(badConfig);
        assertTrue(m.contains("open_clip_config.json: model_cfg.text_cfg.context_length is \"long\"; expected a positive integer"), m);
        Files.writeString(badConfig.resolve("open_clip_config.json"), "{not json");
        assertTrue(error(badConfig).contains("open_clip_config.json: is not valid JSON"));

        Path hfName = folder("hfname");
        Files.writeString(hfName.resolve("open_clip_config.json"), "{\"model_cfg\": {\"text_cfg\": {\"hf_tokenizer_name\": \"bert-base-uncased\"}}}");
        assertTrue(error(hfName).contains("hf_tokenizer_name is 'bert-base-uncased'"));
    }
}
