package saelab.lm.llava;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import saelab.lm.DecoderLm;
import saelab.lm.GenerationResult;
import saelab.lm.LmOutput;
import saelab.model.VisionOutput;

/**
 * {@link LlavaModel} against every tensor of the LLaVA golden fixtures (transformers 4.45.2
 * {@code LlavaForConditionalGeneration}; {@code llava_llama}: CLIP tower, hidden state -2, CLS dropped, Llama;
 * {@code llava_qwen2}: SigLIP tower, hidden state -1, every token, Qwen2 with a tied head), from the fixture's
 * {@code pixel_values} and {@code input_ids} alone: the tower's hidden states, the selected features, the projector,
 * the merged embeddings, the decoder, the top-5 next tokens, greedy generation, the left-padded batch and the run
 * on edited selected features.
 */
class LlavaModelGoldenTest {

    private static void report(String label, Map<String, Double> errs) {
        System.out.printf("%s: %d tensors, max |diff| %.3g%n", label, errs.size(),
                errs.values().stream().mapToDouble(Double::doubleValue).max().orElse(0));
    }

    private static double top5(LlavaFixture f, String prefix, NDArray logits) {
        long t = logits.getShape().get(1);
        try (NDArray last = logits.get(new NDIndex(":, {}, :", t - 1)); NDArray logp = last.logSoftmax(1); NDList top = logp.topK(5, 1, true, true)) {
            assertArrayEquals(f.out(prefix + "top5_ids").toLongArray(), top.get(1).toLongArray(), f.name + " " + prefix + "top5_ids");
            return LlavaFixture.close(prefix + "top5_logprobs", f.out(prefix + "top5_logprobs"), top.get(0));
        }
    }

    private static long[] flat(long[][] a) {
        return Arrays.stream(a).flatMapToLong(Arrays::stream).toArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"llava_llama", "llava_qwen2"})
    void visionSelectionProjectorAndMergeMatch(String fixture) throws IOException {
        Map<String, Double> errs = new TreeMap<>();
        try (LlavaFixture f = new LlavaFixture(fixture); NDManager m = f.nd.newSubManager()) {
            NDArray pixels = f.in("pixel_values");
            int depth = f.model.visionTower().depth();
            VisionOutput all = f.model.visionTower().forwardBlocks(pixels,
                    IntStream.range(0, depth).boxed().collect(Collectors.toSet()));
            errs.put("vision.embeddings", LlavaFixture.close("vision.embeddings", f.out("vision.embeddings"), all.embeddings()));
            for (int l = 0; l < depth; l++) {
                errs.put("vision.block." + l, LlavaFixture.close("vision.block." + l, f.out("vision.block." + l), all.blocks().get(l)));
            }
            NDArray selected = f.model.selectedFeatures(pixels);
            errs.put("vision.selected", LlavaFixture.close("vision.selected", f.out("vision.selected"), selected));
            NDArray features = f.model.imageFeatures(selected);
            errs.put("image_features", LlavaFixture.close("image_features", f.out("image_features"), features));
            NDArray embeds = f.model.inputsEmbeds(f.in("input_ids"), features);
            errs.put("text.inputs_embeds", LlavaFixture.close("text.inputs_embeds", f.out("text.inputs_embeds"), embeds));
        }
        report(fixture + " vision, projector, merge", errs);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llava_llama", "llava_qwen2"})
    void forwardFromPixelsMatchesEveryTextTensor(String fixture) throws IOException {
        Map<String, Double> errs = new TreeMap<>();
        try (LlavaFixture f = new LlavaFixture(fixture);
             LmOutput out = f.model.forward(f.in("pixel_values"), f.in("input_ids"), f.rows("attention_mask"), DecoderLm.Keep.EVERY_BLOCK)) {
            assertEquals(f.model.languageModel().config().layers(), out.blocks().size());
            for (int l = 0; l < out.blocks().size(); l++) {
                errs.put("text.block." + l, LlavaFixture.close("text.block." + l, f.out("text.block." + l), out.blocks().get(l)));
            }
            errs.put("text.final_norm", LlavaFixture.close("text.final_norm", f.out("text.final_norm"), out.finalNorm()));
            errs.put("logits", LlavaFixture.close("logits", f.out("logits"), out.logits()));
            errs.put("next.top5_logprobs", top5(f, "next.", out.logits()));
        }
        report(fixture + " forward", errs);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llava_llama", "llava_qwen2"})
    void greedyGenerationFromPixelsMatches(String fixture) throws IOException {
        try (LlavaFixture f = new LlavaFixture(fixture);
             GenerationResult g = f.model.generate(f.in("pixel_values"), f.in("input_ids"), f.rows("attention_mask"), f.model.greedy(8))) {
            assertArrayEquals(f.out("generate.new_ids").toLongArray(), flat(g.newIds()), fixture + " generate.new_ids");
            double e = LlavaFixture.close("generate.step_logits", f.out("generate.step_logits"), g.stepLogits());
            report(fixture + " generate", Map.of("generate.step_logits", e));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llava_llama", "llava_qwen2"})
    void leftPaddedBatchMatches(String fixture) throws IOException {
        Map<String, Double> errs = new TreeMap<>();
        try (LlavaFixture f = new LlavaFixture(fixture)) {
            long[][] mask = f.rows("pad.attention_mask");
            try (LmOutput out = f.model.forward(f.in("pixel_values"), f.in("pad.input_ids"), mask, DecoderLm.Keep.LOGITS)) {
                long v = out.logits().getShape().get(2);
                boolean[] real = new boolean[(int) (mask.length * mask[0].length * v)];
                for (int i = 0; i < real.length; i++) {
                    int position = (int) (i / v);
                    real[i] = mask[position / mask[0].length][position % mask[0].length] == 1; // pad positions are meaningless
                }
                errs.put("pad.logits", LlavaFixture.close("pad.logits", f.out("pad.logits"), out.logits(), real));
                errs.put("pad.next.top5_logprobs", top5(f, "pad.next.", out.logits()));
            }
            try (GenerationResult g = f.model.generate(f.in("pixel_values"), f.in("pad.input_ids"), mask, f.model.greedy(8))) {
                assertArrayEquals(f.out("pad.generate.new_ids").toLongArray(), flat(g.newIds()), fixture + " pad.generate.new_ids");
                errs.put("pad.generate.step_logits", LlavaFixture.close("pad.generate.step_logits", f.out("pad.generate.step_logits"),
                        g.stepLogits()));
            }
        }
        report(fixture + " left padding", errs);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llava_llama", "llava_qwen2"})
    void editAtTheHookPointMatchesTheEditedOutputs(String fixture) throws IOException {
        Map<String, Double> errs = new TreeMap<>();
        try (LlavaFixture f = new LlavaFixture(fixture); NDManager m = f.nd.newSubManager()) {
            NDArray selected = f.model.selectedFeatures(f.in("pixel_values"));
            selected.attach(m);
            float scale = f.in("edit.scale").toFloatArray()[0];
            NDArray edited = selected.duplicate();
            edited.set(new NDIndex("0"), selected.get(new NDIndex("0")).add(f.in("edit.direction").mul(scale)));
            errs.put("edited.vision.selected", LlavaFixture.close("edited.vision.selected", f.out("edited.vision.selected"), edited));
            errs.put("edited.image_features", LlavaFixture.close("edited.image_features", f.out("edited.image_features"),
                    f.model.imageFeatures(edited)));
            try (LmOutput out = f.model.forwardFromFeatures(edited, f.in("input_ids"), f.rows("attention_mask"), DecoderLm.Keep.LOGITS)) {
                errs.put("edited.logits", LlavaFixture.close("edited.logits", f.out("edited.logits"), out.logits()));
                errs.put("edited.next.top5_logprobs", top5(f, "edited.next.", out.logits()));
            }
            try (LmOutput clean = f.model.forwardFromFeatures(selected, f.in("input_ids"), f.rows("attention_mask"), DecoderLm.Keep.LOGITS)) {
                LlavaFixture.close("logits (unedited features)", f.out("logits"), clean.logits());
            }
        }
        report(fixture + " edited", errs);
    }
}
