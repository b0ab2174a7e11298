package saelab.toy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.data.ToyWorld;
import saelab.data.ToyWorldCaption;
import saelab.io.Json;
import saelab.text.Tokenizer;
import saelab.text.Tokenizers;

/**
 * The toy CLIP tokenizer files load with saelab's {@link Tokenizers#fromFolder} and turn every caption word into one
 * token: each word alone, and the captions of many scenes, including worlds with up to twelve objects.
 */
class ToyTokenizerFilesTest {

    @TempDir
    Path dir;

    /** Writes the tokenizer and a config as the trainer does (the config gives the context length and vocab size). */
    private Tokenizer write(ToyWorld world) throws IOException {
        int context = ToySetup.contextLength(world);
        ToyTokenizerFiles.Written w = ToyTokenizerFiles.write(dir, ToyCaptionWords.words(), context);
        Json.write(dir.resolve("config.json"), Map.of("model_type", "clip",
                "text_config", Map.of("vocab_size", w.vocabSize(), "max_position_embeddings", context, "eos_token_id", w.endId())));
        Tokenizer t = Tokenizers.fromFolder(dir);
        assertEquals(w.vocabSize(), t.vocabularySize());
        assertEquals(context, t.contextLength());
        return t;
    }

    private Map<Integer, String> inverseVocab() throws IOException {
        Map<String, Integer> vocab = Json.mapper().readValue(Files.readAllBytes(dir.resolve("vocab.json")),
                new TypeReference<Map<String, Integer>>() {});
        Map<Integer, String> inv = new HashMap<>();
        vocab.forEach((k, v) -> inv.put(v, k));
        assertEquals(vocab.size(), inv.size(), "ids are distinct");
        return inv;
    }

    @Test
    void hasTheHuggingFaceFilesAndLayout() throws IOException {
        Tokenizer t = write(ToyWorld.withSeed(0));
        for (String f : List.of("vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json")) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
        assertTrue(Files.readString(dir.resolve("merges.txt")).startsWith("#version"), "merges.txt starts with the header line");
        Map<Integer, String> inv = inverseVocab();
        assertEquals("!", inv.get(0), "byte symbols first, in CLIP's order");
        assertEquals("!</w>", inv.get(256), "then the word-final byte symbols");
        assertEquals("<|startoftext|>", inv.get(t.startTokenId()));
        assertEquals("<|endoftext|>", inv.get(t.endTokenId()));
        assertEquals(t.vocabularySize() - 1, t.endTokenId(), "the end token is the last id, as in CLIP");
        Map<String, Object> special = Json.mapper().readValue(Files.readAllBytes(dir.resolve("special_tokens_map.json")),
                new TypeReference<Map<String, Object>>() {});
        assertEquals("<|endoftext|>", special.get("pad_token"));
    }

    @Test
    void everyCaptionWordIsOneToken() throws IOException {
        Tokenizer t = write(ToyWorld.withSeed(0));
        Map<Integer, String> inv = inverseVocab();
        for (String word : ToyCaptionWords.words()) {
            int[] ids = t.encode(word);
            assertEquals(3, ids.length, word + " -> " + java.util.Arrays.toString(ids));
            assertEquals(word + "</w>", inv.get(ids[1]));
        }
    }

    @Test
    void captionsOfManyScenesAreWholeWordTokens() throws IOException {
        Pattern pieces = Pattern.compile("\\p{L}+|,");
        for (ToyWorld world : List.of(ToyWorld.withSeed(1), new ToyWorld(64, 6, 12, 2))) {
            Tokenizer t = write(world);
            Map<Integer, String> inv = inverseVocab();
            for (int j = 0; j < 600; j++) {
                // both caption kinds: the world's own (colour, texture, shape) and the concept-only ones (colour, shape)
                int i = j % 300;
                String caption = j < 300 ? world.scene(i).caption()
                        : ToyWorldCaption.of(world.scene(i).objects(), ToyWorldCaption.Attributes.COLOUR_SHAPE);
                List<String> words = new ArrayList<>();
                Matcher m = pieces.matcher(caption);
                while (m.find()) {
                    words.add(m.group());
                }
                int[] ids = t.encode(caption);
                String[] got = new String[ids.length - 2];
                for (int k = 1; k < ids.length - 1; k++) {
                    got[k - 1] = inv.get(ids[k]).replace("</w>", "");
                }
                assertArrayEquals(words.toArray(new String[0]), got, "caption '" + caption + "' (" + (ids.length) + " ids, context "
                        + t.contextLength() + ")");
                assertEquals(t.startTokenId(), ids[0]);
                assertEquals(t.endTokenId(), ids[ids.length - 1]);
            }
        }
    }

    @Test
    void learntMergesBuildEachWordLeftToRightOnlyFromItsOwnSymbols() {
        List<String[]> merges = ToyTokenizerFiles.learn(List.of("red", "reds", "green"));
        // every word ends as one symbol, so the merges' results include each word with its end-of-word mark
        List<String> results = merges.stream().map(m -> m[0] + m[1]).toList();
        for (String w : List.of("red</w>", "reds</w>", "green</w>")) {
            assertTrue(results.contains(w), w + " in " + results);
        }
    }
}
