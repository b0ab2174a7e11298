package saelab.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decoders of the LLaVA golden fixtures (transformers 4.45.2 {@code LlamaForCausalLM} in
 * {@code llava_llama}, {@code Qwen2ForCausalLM} with q/k/v biases, RoPE theta 1e6 and a tied head in
 * {@code llava_qwen2}) against every text-side tensor: the residual stream after each layer, the final norm,
 * the logits, the top-5 next tokens, the greedy generation with the KV cache (ids and step logits), the
 * left-padded batch (positions from the attention mask) and the run on edited image features.
 */
class DecoderLmGoldenTest {

    private static void report(String label, Map<String, Double> errs) {
        System.out.printf("%s: %d tensors, max |diff| %.3g%n", label, errs.size(),
                errs.values().stream().mapToDouble(Double::doubleValue).max().orElse(0));
    }

    /** The top-5 of log_softmax(logits[:, -1]) against the fixture's {@code prefix}top5_ids / _logprobs. */
    private static double top5(LlavaTextFixture f, String prefix, NDArray logits) {
        long t = logits.getShape().get(1);
        try (NDArray last = logits.get(new NDIndex(":, {}, :", t - 1)); NDArray logp = last.logSoftmax(1)) {
            NDList top = logp.topK(5, 1, true, true);
            assertArrayEquals(f.out(prefix + "top5_ids").toLongArray(), top.get(1).toLongArray(), f.name + " " + prefix + "top5_ids");
            double e = LlavaTextFixture.close(prefix + "top5_logprobs", f.out(prefix + "top5_logprobs"), top.get(0));
            top.close();
            return e;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llava_llama", "llava_qwen2"})
    void forwardMatchesEveryTextTensor(String fixture) throws IOException {
        Map<String, Double> errs = new TreeMap<>();
        try (LlavaTextFixture f = new LlavaTextFixture(fixture); NDManager m = f.nd.newSubManager()) {
            NDArray embeds = f.out("text.inputs_embeds");
            try (NDArray merged = f.merged("input_ids", f.out("image_features"))) {
                errs.put("text.inputs_embeds", LlavaTextFixture.close("text.inputs_embeds (merge)", embeds, merged));
            }
            try (LmOutput out = f.lm.forward(embeds, f.in("attention_mask"))) {
                for (int l = 0; l < out.blocks().size(); l++) {
                    errs.put("text.block." + l, LlavaTextFixture.close("text.block." + l, f.out("text.block." + l), out.blocks().get(l)));
                }
                assertEquals(f.lm.config().layers(), out.blocks().size());
                errs.put("text.final_norm", LlavaTextFixture.close("text.final_norm", f.out("text.final_norm"), out.finalNorm()));
                errs.put("logits", LlavaTextFixture.close("logits", f.out("logits"), out.logits()));
                errs.put("next.top5_logprobs", top5(f, "next.", out.logits()));
            }
        }
        report(fixture + " forward", errs);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llava_llama", "llava_qwen2"})
    void greedyGenerationWithTheCacheMatches(String fixture) throws IOException {
        try (LlavaTextFixture f = new LlavaTextFixture(fixture);
             GenerationResult g = Generation.generate(f.lm, f.out("text.inputs_embeds"), f.rows("attention_mask"),
                     GenerationOptions.greedy(8))) {
            assertArrayEquals(f.out("generate.new_ids").toLongArray(), flat(g.newIds()), fixture + " generate.new_ids");
            double e = LlavaTextFixture.close("generate.step_logits", f.out("generate.step_logits"), g.stepLogits());
            report(fixture + " generate", Map.of("generate.step_logits", e));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llava_llama", "llava_qwen2"})
    void leftPaddedBatchMatches(String fixture) throws IOException {
        Map<String, Double> errs = new TreeMap<>();
        try (LlavaTextFixture f = new LlavaTextFixture(fixture); NDArray embeds = f.merged("pad.input_ids", f.out("image_features"))) {
            long[][] mask = f.rows("pad.attention_mask");
            try (LmOutput out = f.lm.forward(embeds, mask, null, null, DecoderLm.Keep.LOGITS)) {
                long v = out.logits().getShape().get(2);
                boolean[] real = new boolean[(int) (mask.length * mask[0].length * v)];
                for (int b = 0; b < mask.length; b++) {
                    for (int j = 0; j < mask[b].length; j++) {
                        for (int k = 0; k < v; k++) {
                            real[(int) ((b * mask[b].length + j) * v + k)] = mask[b][j] == 1; // pad positions are meaningless
                        }
                    }
                }
                errs.put("pad.logits", LlavaTextFixture.close("pad.logits", f.out("pad.logits"), out.logits(), real));
                errs.put("pad.next.top5_logprobs", top5(f, "pad.next.", out.logits()));
            }
            try (GenerationResult g = Generation.generate(f.lm, embeds, mask, GenerationOptions.greedy(8))) {
                assertArrayEquals(f.out("pad.generate.new_ids").toLongArray(), flat(g.newIds()), fixture + " pad.generate.new_ids");
                errs.put("pad.generate.step_logits", LlavaTextFixture.close("pad.generate.step_logits", f.out("pad.generate.step_logits"),
                        g.stepLogits()));
            }
        }
        report(fixture + " left padding", errs);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llava_llama", "llava_qwen2"})
    void editedImageFeaturesGiveTheEditedLogits(String fixture) throws IOException {
        try (LlavaTextFixture f = new LlavaTextFixture(fixture);
             NDArray embeds = f.merged("input_ids", f.out("edited.image_features"));
             LmOutput out = f.lm.forward(embeds, f.in("attention_mask"))) {
            double e = LlavaTextFixture.close("edited.logits", f.out("edited.logits"), out.logits());
            double p = top5(f, "edited.next.", out.logits());
            report(fixture + " edited", Map.of("edited.logits", e, "edited.next.top5_logprobs", p));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llava_llama", "llava_qwen2"})
    void noMaskMeansNoPadding(String fixture) throws IOException {
        try (LlavaTextFixture f = new LlavaTextFixture(fixture);
             LmOutput out = f.lm.forward(f.out("text.inputs_embeds"), null, null, null, DecoderLm.Keep.LOGITS)) {
            LlavaTextFixture.close("logits", f.out("logits"), out.logits());
        }
    }

    private static long[] flat(long[][] a) {
        return java.util.Arrays.stream(a).flatMapToLong(java.util.Arrays::stream).toArray();
    }
}
