package saelab.intervene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.image.ImageDecoder;
import saelab.image.RgbImage;
import saelab.lm.SamplingOptions;
import saelab.lm.TextTokenizer;
import saelab.lm.llava.AnswerSampling;
import saelab.lm.moondream.MoondreamModel;
import saelab.model.Golden;
import saelab.model.MappedSafetensors;
import saelab.sae.Sae;

/**
 * {@code vlm ask} on moondream2 (the golden fixture: random weights, gibberish but deterministic answers, with a word-level
 * tokenizer written here whose word {@code wN} is id N, since the fixture has no text tokenizer): the clean greedy answer
 * to the fixture's question is the reference's generation; an edit that keeps every code of an SAE on the projection input
 * gives the clean answers token for token; a large edit changes them; the same seed pairs the answers; bad input is one
 * sentence.
 */
class MoondreamAskTest {

    @TempDir
    static Path tmp;

    private static Path folder;
    private static MoondreamModel model;
    private static TextTokenizer tokenizer;
    private static RgbImage image;
    private static NDManager nd;
    /** The fixture's question ids 17 42 8 99 23 as words. */
    private static final String QUESTION = "w17 w42 w8 w99 w23";

    @BeforeAll
    static void load() throws IOException {
        Path golden = Golden.dir("moondream");
        folder = MoondreamFixtures.folder(tmp.resolve("moondream"));
        model = MoondreamModel.load(folder);
        tokenizer = TextTokenizer.load(folder);
        image = ImageDecoder.decode(golden.resolve("image.png"));
        nd = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        nd.close();
        tokenizer.close();
        model.close();
    }

    private static AnswerSampling.Options options(int samples, double temperature, long seed, int maxTokens) {
        return new AnswerSampling.Options(samples, temperature == 0 ? SamplingOptions.greedy() : SamplingOptions.sample(temperature, seed),
                maxTokens, 1);
    }

    private static String words(long[] ids) {
        return Arrays.stream(ids).mapToObj(i -> "w" + i).collect(Collectors.joining(" "));
    }

    @Test
    void theCleanGreedyAnswerIsTheReferencesGeneration() throws IOException {
        VlmAsk.Result r = MoondreamAsk.ask(model, tokenizer, image, QUESTION, options(1, 0, 0, 8), null, null, null, null);
        long[] want;
        try (MappedSafetensors out = MappedSafetensors.open(Golden.dir("moondream").resolve("outputs.safetensors"))) {
            want = out.load("generate.new_ids", nd).toLongArray();
        }
        assertEquals(words(want), r.beforeRaw().getFirst(), "the fixture's greedy ids, decoded");
        assertEquals("moondream-query", r.prompt().templateId());
        assertEquals(1 + 729 + 10, r.prompt().length(), "bos, the image's 729 tokens, the query's 10");
        assertEquals(null, r.afterRaw());
    }

    @Test
    void aNoOpEditGivesTheCleanAnswersAndALargeEditChangesThem() {
        try (NDManager scope = nd.newSubManager(); Sae sae = RandomSaes.of(RandomSaes.Case.RELU, 24, 48, scope)) {
            int[] all = IntStream.range(0, 48).toArray();
            float[] ones = new float[48];
            Arrays.fill(ones, 1f);
            LatentEdit keep = new LatentEdit(null, EditTokens.allPatches(), all, EditOperation.SCALE, ones, ErrorPolicy.KEEP);
            int[] done = new int[1];
            VlmAsk.Result same = MoondreamAsk.ask(model, tokenizer, image, QUESTION, options(4, 1.0, 7, 6), sae, keep, SpliceForm.DELTA,
                    n -> done[0] += n);
            assertEquals(8, done[0], "progress counts both runs' answers");
            assertEquals(same.beforeRaw(), same.afterRaw(), "an edit that keeps every code keeps every sampled answer");
            assertEquals(0, same.changedPairs());
            assertTrue(same.before().distinct() > 1, "temperature 1 samples different answers: " + same.beforeRaw());

            LatentEdit big = new LatentEdit(null, EditTokens.allPatches(), new int[] {5}, EditOperation.SET, new float[] {300},
                    ErrorPolicy.KEEP);
            VlmAsk.Result moved = MoondreamAsk.ask(model, tokenizer, image, QUESTION, options(2, 0, 0, 6), sae, big, SpliceForm.DELTA, null);
            assertEquals(2, moved.changedPairs(), moved.beforeRaw() + " -> " + moved.afterRaw());
            assertNotEquals(moved.before().top(1), moved.after().top(1));

            VlmAsk.Result again = MoondreamAsk.ask(model, tokenizer, image, QUESTION, options(4, 1.0, 7, 6), null, null, null, null);
            assertEquals(same.beforeRaw(), again.beforeRaw(), "the same seed gives the same answers");
        }
    }

    @Test
    void badInputIsOneSentence() {
        try (NDManager scope = nd.newSubManager(); Sae wide = RandomSaes.of(RandomSaes.Case.RELU, 32, 48, scope)) {
            LatentEdit edit = new LatentEdit(null, EditTokens.allPatches(), new int[] {1}, EditOperation.ABLATE, new float[] {0},
                    ErrorPolicy.KEEP);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MoondreamAsk.ask(model, tokenizer, image, QUESTION, options(1, 0, 0, 4), wide, edit, SpliceForm.DELTA, null));
            assertTrue(e.getMessage().contains("the SAE reads d_model=32 activations but the vision features the language model reads have"
                    + " width 24; expected an SAE trained on moondream's projection input"), e.getMessage());
            LatentEdit cls = new LatentEdit(null, EditTokens.cls(), new int[] {1}, EditOperation.ABLATE, new float[] {0}, ErrorPolicy.KEEP);
            try (Sae sae = RandomSaes.of(RandomSaes.Case.RELU, 24, 48, scope)) {
                e = assertThrows(IllegalArgumentException.class,
                        () -> MoondreamAsk.ask(model, tokenizer, image, QUESTION, options(1, 0, 0, 4), sae, cls, SpliceForm.DELTA, null));
                assertTrue(e.getMessage().contains("cls"), e.getMessage());
            }
            e = assertThrows(IllegalArgumentException.class,
                    () -> MoondreamAsk.ask(model, tokenizer, image, " ", options(1, 0, 0, 4), null, null, null, null));
            assertTrue(e.getMessage().startsWith("the question is empty"), e.getMessage());
        }
    }
}
