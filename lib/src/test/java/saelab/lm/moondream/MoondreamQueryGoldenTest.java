package saelab.lm.moondream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import saelab.image.ImageDecoder;
import saelab.image.RgbImage;
import saelab.io.Safetensors;
import saelab.model.Golden;

/**
 * moondream2's query against the golden fixture (the reference's {@code query(..., temperature 0,
 * max_tokens 8)}): the prompt template with the suffix twice, the raw logits of the prompt and of every
 * decode step, and the greedy ids, from the fixture's image embeddings and end to end from
 * {@code image.png}; the feature-edit hook and seeded sampling on the same model.
 */
class MoondreamQueryGoldenTest {

    /** The fixture's question ({@code _gen_info.json}: "17 42 8 99 23"). */
    static final long[] QUESTION = {17, 42, 8, 99, 23};

    static MoondreamModel model;
    static RgbImage image;

    @BeforeAll
    static void load() throws IOException {
        model = MoondreamModel.load(MoondreamFixture.dir());
        image = ImageDecoder.decode(MoondreamFixture.dir().resolve("image.png"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Safetensors.Tensor want(String name) throws IOException {
        return MoondreamFixture.tensor("outputs.safetensors", name);
    }

    private static void assertAnswerMatches(String label, MoondreamAnswer a) throws IOException {
        assertArrayEquals(MoondreamFixture.longs("outputs.safetensors", "generate.new_ids"), a.ids(), label + ": generate.new_ids");
        assertEquals(MoondreamAnswer.Stop.MAX_TOKENS, a.stop());
        float[][] steps = a.stepLogits();
        assertEquals(9, steps.length, label + ": one step more than tokens, as the reference");
        try (NDManager nd = NDManager.newBaseManager()) {
            float[] flat = new float[9 * 128];
            for (int i = 0; i < 9; i++) {
                System.arraycopy(steps[i], 0, flat, i * 128, 128);
            }
            double e = Golden.assertClose(label + ": generate.step_logits", want("generate.step_logits"), nd.create(flat, new Shape(9, 128)));
            System.out.printf("moondream %s: step logits max |diff| %.3g%n", label, e);
        }
    }

    @Test
    void thePromptIsTheTemplateWithTheSuffixTwice() throws IOException {
        assertArrayEquals(MoondreamFixture.longs("inputs.safetensors", "prompt_ids"), model.promptIds(QUESTION));
    }

    @Test
    void greedyGenerationFromTheFixtureEmbeddingsMatchesStepByStep() throws IOException {
        Safetensors.Tensor img = want("vision.image_embeds");
        try (NDManager nd = NDManager.newBaseManager();
             MoondreamEncodedImage enc = model.encodeEmbeddings(nd.create(img.values(), new Shape(img.shape())))) {
            assertEquals(730, enc.length());
            assertAnswerMatches("from image_embeds", model.query(enc, QUESTION, MoondreamQuery.Settings.greedy(8)));
            assertEquals(730, enc.length(), "querying leaves the encoded image unchanged");
            assertAnswerMatches("from image_embeds, again", model.query(enc, QUESTION, MoondreamQuery.Settings.greedy(8)));
        }
    }

    @Test
    void queryFromThePngMatchesEndToEnd() throws IOException {
        assertAnswerMatches("from image.png", model.query(image, QUESTION, 8));
    }

    @Test
    void fewerTokensGiveAPrefixOfTheAnswer() throws IOException {
        long[] all = MoondreamFixture.longs("outputs.safetensors", "generate.new_ids");
        MoondreamAnswer a = model.query(image, QUESTION, new MoondreamQuery.Settings(3, saelab.lm.SamplingOptions.greedy(), false));
        assertArrayEquals(java.util.Arrays.copyOf(all, 3), a.ids());
        assertNull(a.stepLogits());
    }

    @Test
    void theEditHookReceivesTheProjectionInputAndChangesTheAnswer() throws IOException {
        List<long[]> seen = new java.util.ArrayList<>();
        float[][] clean;
        try (MoondreamEncodedImage enc = model.encodeImage(image, f -> {
            seen.add(f.projectionInput().getShape().getShape());
            return f.projectionInput().duplicate();
        })) {
            assertArrayEquals(new long[] {729, 24}, seen.get(0));
            MoondreamAnswer same = model.query(enc, QUESTION, MoondreamQuery.Settings.greedy(8));
            assertAnswerMatches("identity edit", same);
            clean = same.stepLogits();
        }
        try (MoondreamEncodedImage enc = model.encodeImage(image, f -> f.projectionInput().neg())) {
            float[][] edited = model.query(enc, QUESTION, MoondreamQuery.Settings.greedy(8)).stepLogits();
            assertFalse(java.util.Arrays.equals(clean[0], edited[0]), "negated features change the first logits");
        }
    }

    @Test
    void samplingIsSeededAndANarrowNucleusIsGreedy() throws IOException {
        long[] greedy = MoondreamFixture.longs("outputs.safetensors", "generate.new_ids");
        try (MoondreamEncodedImage enc = model.encodeImage(image)) {
            assertArrayEquals(greedy, model.query(enc, QUESTION, MoondreamQuery.Settings.sample(8, 1.0, 1e-6, 7)).ids(),
                    "top-p 1e-6 keeps only the most probable token");
            MoondreamAnswer a = model.query(enc, QUESTION, MoondreamQuery.Settings.sample(8, 3.0, 1.0, 11));
            MoondreamAnswer b = model.query(enc, QUESTION, MoondreamQuery.Settings.sample(8, 3.0, 1.0, 11));
            assertArrayEquals(a.ids(), b.ids(), "same seed, same answer");
            Set<String> answers = new HashSet<>();
            for (long seed = 0; seed < 6; seed++) {
                MoondreamAnswer s = model.query(enc, QUESTION, MoondreamQuery.Settings.sample(8, 3.0, 1.0, seed));
                long[] ids = s.ids();
                for (int i = 1; i < ids.length; i++) {
                    assertTrue(ids[i] != model.tokenizer().answerId(), "the answer id is masked after the first token");
                }
                answers.add(java.util.Arrays.toString(s.ids()));
            }
            assertTrue(answers.size() > 1, "six seeds at temperature 3 give more than one answer: " + answers);
        }
    }
}
