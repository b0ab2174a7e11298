package saelab.intervene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.io.IOException;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import saelab.lm.ChatTemplate;
import saelab.lm.DecoderLm;
import saelab.lm.GenerationResult;
import saelab.lm.SamplingOptions;
import saelab.lm.TextTokenizer;
import saelab.lm.llava.AnswerSampling;
import saelab.lm.llava.LlavaModel;
import saelab.model.Golden;
import saelab.model.MappedSafetensors;
import saelab.sae.Sae;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;

/**
 * SAE edits of a LLaVA model's selected vision features and the answers sampled under them, on the llava_llama golden
 * fixture (random weights: the answers are gibberish, but deterministic): an edit that leaves every code as it is gives
 * the features back bit for bit and the clean answers token for token; an add edit along a decoder row reproduces the
 * fixture's own edited case (features, logits and top-5 ids); a large edit changes the greedy answer; the same seed
 * gives the same answers whatever the batch size; bad input is one sentence.
 */
class VlmAskTest {

    private static NDManager nd;
    private static LlavaModel model;
    private static TextTokenizer tokenizer;
    private static NDArray pixels;

    @BeforeAll
    static void load() throws IOException {
        nd = NDManager.newBaseManager();
        model = LlavaModel.load(Golden.dir("llava_llama"));
        tokenizer = TextTokenizer.load(Golden.dir("llava_llama"));
        try (MappedSafetensors in = MappedSafetensors.open(Golden.dir("llava_llama").resolve("inputs.safetensors"))) {
            pixels = in.load("pixel_values", nd).get(new NDIndex("0:1"));
        }
    }

    @AfterAll
    static void free() {
        tokenizer.close();
        model.close();
        nd.close();
    }

    private static LatentEdit scaleEveryLatentBy1(int dSae) {
        int[] all = IntStream.range(0, dSae).toArray();
        float[] ones = new float[dSae];
        java.util.Arrays.fill(ones, 1f);
        return new LatentEdit(null, EditTokens.allPatches(), all, EditOperation.SCALE, ones, ErrorPolicy.KEEP);
    }

    private static AnswerSampling.Options options(int samples, double temperature, long seed, int batch) {
        return new AnswerSampling.Options(samples, temperature == 0 ? SamplingOptions.greedy() : SamplingOptions.sample(temperature, seed), 6,
                batch);
    }

    @ParameterizedTest
    @EnumSource(value = RandomSaes.Case.class, names = {"RELU", "TOPK", "JUMPRELU"})
    void anEditThatKeepsEveryCodeIsBitIdenticalAndGivesTheCleanTokens(RandomSaes.Case c) {
        try (NDManager scope = nd.newSubManager(); Sae sae = RandomSaes.of(c, 32, 64, scope)) {
            NDArray clean = model.selectedFeatures(pixels);
            clean.attach(scope);
            LatentEdit keep = scaleEveryLatentBy1(64);
            LatentEdit addZero = new LatentEdit(null, EditTokens.allPatches(), new int[] {3, 9}, EditOperation.ADD, new float[] {0, 0},
                    ErrorPolicy.KEEP);
            try (VlmFeatureEdit splice = VlmFeatureEdit.llava(model, sae, clean)) {
                assertEquals(1, splice.block());
                assertArrayEquals(clean.toFloatArray(), splice.apply(keep, SpliceForm.DELTA, scope).toFloatArray());
                assertArrayEquals(clean.toFloatArray(), splice.apply(addZero, SpliceForm.DELTA, scope).toFloatArray());
            }
            VlmAsk.Result r = VlmAsk.ask(model, tokenizer, pixels, ChatTemplate.LLAVA_1_5, "Is there a cat here?", options(3, 0, 0, 3), sae,
                    keep, SpliceForm.DELTA, null);
            assertEquals(r.beforeRaw(), r.afterRaw());
            assertEquals(0, r.changedPairs());
            assertEquals(1, r.before().distinct(), "greedy answers are all the same");
        }
    }

    /**
     * An SAE whose decoder row 0 is the fixture's edit direction: adding edit.scale to latent 0 on every token of image 0
     * with the error kept is x + scale · direction, the fixture's edited.vision.selected, and the model run on from it
     * gives the fixture's edited logits and top-5 ids (row 0; the rows of the fixture are independent). llava_llama reads
     * CLIP block 1 without the class token ("default"), llava_qwen2 SigLIP block 2, every token ("full").
     */
    @ParameterizedTest
    @ValueSource(strings = {"llava_llama", "llava_qwen2"})
    void anAddEditAlongADecoderRowReproducesTheFixturesEditedCase(String fixture) throws IOException {
        try (NDManager scope = nd.newSubManager(); LlavaModel m = LlavaModel.load(Golden.dir(fixture));
             MappedSafetensors in = MappedSafetensors.open(Golden.dir(fixture).resolve("inputs.safetensors"));
             MappedSafetensors out = MappedSafetensors.open(Golden.dir(fixture).resolve("outputs.safetensors"))) {
            float[] direction = in.load("edit.direction", scope).toFloatArray();
            float scale = in.load("edit.scale", scope).toFloatArray()[0];
            int d = 32;
            int dSae = 8;
            java.util.SplittableRandom rng = new java.util.SplittableRandom(11);
            float[] enc = new float[dSae * d];
            float[] dec = new float[dSae * d];
            for (int i = 0; i < enc.length; i++) {
                enc[i] = (float) (rng.nextGaussian() / Math.sqrt(d));
                dec[i] = (float) rng.nextGaussian();
            }
            System.arraycopy(direction, 0, dec, 0, d);
            try (Sae sae = Sae.of(SaeConfig.builder(SaeKind.RELU, d, dSae).build(), scope, enc, new float[dSae], dec, new float[d])) {
                NDArray image0 = in.load("pixel_values", scope).get(new NDIndex("0:1"));
                NDArray clean = m.selectedFeatures(image0);
                clean.attach(scope);
                LatentEdit add = new LatentEdit(null, EditTokens.allPatches(), new int[] {0}, EditOperation.ADD, new float[] {scale},
                        ErrorPolicy.KEEP);
                NDArray edited;
                try (VlmFeatureEdit splice = VlmFeatureEdit.llava(m, sae, clean)) {
                    assertEquals(fixture.equals("llava_llama") ? 1 : 2, splice.block());
                    edited = splice.apply(add, SpliceForm.DELTA, scope);
                }
                close(out.load("edited.vision.selected", scope).get(new NDIndex("0:1")), edited, fixture + " edited.vision.selected");
                NDArray ids = in.load("input_ids", scope).get(new NDIndex("0:1"));
                NDArray logits = m.forwardFromFeatures(edited, ids, null, DecoderLm.Keep.LOGITS).logits();
                close(out.load("edited.logits", scope).get(new NDIndex("0:1")), logits, fixture + " edited.logits");
                long[] top5 = logits.get(new NDIndex(":, -1, :")).logSoftmax(1).topK(5, 1, true, true).get(1).toLongArray();
                assertArrayEquals(out.load("edited.next.top5_ids", scope).get(new NDIndex("0")).toLongArray(), top5,
                        fixture + " edited.next.top5_ids");
            }
        }
    }

    @Test
    void aLargeEditChangesTheGreedyTokens() {
        try (NDManager scope = nd.newSubManager(); Sae sae = RandomSaes.of(RandomSaes.Case.RELU, 32, 64, scope)) {
            LatentEdit big = new LatentEdit(null, EditTokens.allPatches(), new int[] {5}, EditOperation.SET, new float[] {200},
                    ErrorPolicy.KEEP);
            NDArray clean = model.selectedFeatures(pixels);
            clean.attach(scope);
            NDArray edited;
            try (VlmFeatureEdit splice = VlmFeatureEdit.llava(model, sae, clean)) {
                edited = splice.apply(big, SpliceForm.DELTA, scope);
            }
            NDArray ids = scope.create(saelab.lm.llava.LlavaPrompt.build(model.config(), tokenizer, ChatTemplate.LLAVA_1_5, "Why?", 16, 8)
                    .ids()).reshape(1, -1);
            try (GenerationResult a = model.generateFromFeatures(clean, ids, null, model.greedy(8));
                 GenerationResult b = model.generateFromFeatures(edited, ids, null, model.greedy(8))) {
                assertFalse(java.util.Arrays.equals(a.newIds()[0], b.newIds()[0]), "the edit left the greedy tokens as they were");
            }
            VlmAsk.Result r = VlmAsk.ask(model, tokenizer, pixels, ChatTemplate.LLAVA_1_5, "Why?", options(2, 0, 0, 2), sae, big,
                    SpliceForm.DELTA, null);
            assertEquals(2, r.changedPairs());
            assertNotEquals(r.before().top(1), r.after().top(1));
        }
    }

    @Test
    void theSameSeedGivesTheSameAnswersWhateverTheBatch() {
        int[] done = new int[1];
        VlmAsk.Result a = VlmAsk.ask(model, tokenizer, pixels, ChatTemplate.LLAVA_1_5, "Where is the person?", options(7, 1.0, 42, 7), null,
                null, null, n -> done[0] += n);
        assertEquals(7, done[0]);
        VlmAsk.Result b = VlmAsk.ask(model, tokenizer, pixels, ChatTemplate.LLAVA_1_5, "Where is the person?", options(7, 1.0, 42, 3), null,
                null, null, null);
        VlmAsk.Result other = VlmAsk.ask(model, tokenizer, pixels, ChatTemplate.LLAVA_1_5, "Where is the person?", options(7, 1.0, 43, 7),
                null, null, null, null);
        assertEquals(7, a.beforeRaw().size());
        assertEquals(a.beforeRaw(), b.beforeRaw());
        assertNotEquals(a.beforeRaw(), other.beforeRaw());
        assertTrue(a.before().distinct() > 1, "temperature 1 on a random model gives different answers: " + a.beforeRaw());
        assertEquals(null, a.afterRaw());
        int total = a.before().top(5).stream().mapToInt(e -> e.count()).sum();
        assertTrue(total <= 7 && total > 0);
    }

    @Test
    void badInputIsOneSentence() {
        try (NDManager scope = nd.newSubManager(); Sae narrow = RandomSaes.of(RandomSaes.Case.RELU, 48, 64, scope);
             Sae sae = RandomSaes.of(RandomSaes.Case.RELU, 32, 64, scope)) {
            String longQuestion = "why " .repeat(120);
            String m = message(() -> VlmAsk.ask(model, tokenizer, pixels, ChatTemplate.LLAVA_1_5, longQuestion, options(1, 0, 0, 1), null,
                    null, null, null));
            assertTrue(m.contains("more than the language model's context of 128 (text_config.max_position_embeddings"), m);
            LatentEdit edit = new LatentEdit(null, EditTokens.allPatches(), new int[] {1}, EditOperation.ABLATE, new float[] {0},
                    ErrorPolicy.KEEP);
            m = message(() -> VlmAsk.ask(model, tokenizer, pixels, ChatTemplate.LLAVA_1_5, "Why?", options(1, 0, 0, 1), narrow, edit,
                    SpliceForm.DELTA, null));
            assertTrue(m.startsWith("the SAE reads d_model=48 activations but the vision features the language model reads have width 32;"
                    + " expected an SAE trained on vision_feature_layer -2 = block 1's output"), m);
            m = message(() -> VlmAsk.resolve(EditSpec.builder(EditOperation.ABLATE).latents(3, 64).build(), 64));
            assertEquals("latent 64 is outside the SAE's d_sae=64 latents (0-based 0..63)", m);
            LatentEdit beyond = new LatentEdit(null, EditTokens.allPatches(), new int[] {70}, EditOperation.ABLATE, new float[] {0},
                    ErrorPolicy.KEEP);
            m = message(() -> VlmAsk.ask(model, tokenizer, pixels, ChatTemplate.LLAVA_1_5, "Why?", options(1, 0, 0, 1), sae, beyond,
                    SpliceForm.DELTA, null));
            assertEquals("latent 70 is outside the SAE's d_sae=64 latents (0-based 0..63)", m);
            LatentEdit cls = new LatentEdit(null, EditTokens.cls(), new int[] {1}, EditOperation.ABLATE, new float[] {0}, ErrorPolicy.KEEP);
            m = message(() -> VlmAsk.ask(model, tokenizer, pixels, ChatTemplate.LLAVA_1_5, "Why?", options(1, 0, 0, 1), sae, cls,
                    SpliceForm.DELTA, null));
            assertTrue(m.contains("select token 0 of the vision tower, which the select strategy 'default' drops"), m);
            LatentEdit otherBlock = new LatentEdit(2, EditTokens.patches(0, 15), new int[] {1}, EditOperation.ABLATE, new float[] {0},
                    ErrorPolicy.KEEP);
            m = message(() -> VlmAsk.ask(model, tokenizer, pixels, ChatTemplate.LLAVA_1_5, "Why?", options(1, 0, 0, 1), sae, otherBlock,
                    SpliceForm.DELTA, null));
            assertEquals("the edit is for block 2 but the language model reads vision_feature_layer -2 = block 1's output (0-based)", m);
            m = message(() -> ChatTemplate.parse("chatml"));
            assertTrue(m.startsWith("chat template 'chatml' is not supported; saelab renders llava-1.5 (USER: <image>\\n{question} ASSISTANT:),"
                    + " llava-interleave (<|im_start|>user\\n<image>\\n{question}<|im_end|>\\n<|im_start|>assistant\\n)"), m);
            m = message(() -> VlmAsk.ask(model, tokenizer, pixels, ChatTemplate.LLAVA_1_5, "What is <image>?", options(1, 0, 0, 1), null, null,
                    null, null));
            assertTrue(m.startsWith("the llava-1.5 prompt holds 2 image tokens (id 300) after tokenisation; expected exactly one <image>"), m);
        }
    }

    /** Every value within the team's tolerance, atol 1e-4 + rtol 1e-4. */
    static void close(NDArray expected, NDArray actual, String label) {
        assertArrayEquals(expected.getShape().getShape(), actual.getShape().getShape(), label + ": shape");
        float[] want = expected.toFloatArray();
        float[] got = actual.toFloatArray();
        for (int i = 0; i < want.length; i++) {
            double diff = Math.abs((double) got[i] - want[i]);
            assertTrue(diff <= Golden.ATOL + Golden.RTOL * Math.abs(want[i]), label + " at " + i + ": expected " + want[i] + ", got " + got[i]);
        }
    }

    interface Throwing {
        void run() throws Exception;
    }

    static String message(Throwing r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        String m = e.getMessage();
        if (m.contains("\n")) {
            fail("not one line: " + m);
        }
        return m;
    }
}
