package saelab.intervene;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntConsumer;
import saelab.image.Preprocessor;
import saelab.image.ResizeRule;
import saelab.image.RgbImage;
import saelab.lm.AnswerTally;
import saelab.lm.ChatTemplate;
import saelab.lm.TextTokenizer;
import saelab.lm.llava.AnswerSampling;
import saelab.lm.llava.LlavaModel;
import saelab.lm.llava.LlavaPrompt;
import saelab.sae.Sae;

/**
 * Answers of a vision-language model to one question about one image, before and after an SAE edit of its vision
 * features: what {@code saelab vlm ask}, the notebooks and the dashboard call (Section 5.3 of the paper: suppress or
 * add latents of the image's vision embeddings, sample answers at a non-zero temperature, compare the top answers).
 * The image's selected features are computed once; the clean answers are sampled from them, the edited answers from
 * the same features through the splice ({@link VlmFeatureEdit}: SAE encode, edit, decode, error kept unless the edit
 * drops it), with the same seeds, so answer i before and answer i after are a pair drawn from the same random stream.
 * An edit that leaves every code as it is therefore gives the clean answers back, token for token.
 */
public final class VlmAsk {

    /**
     * The answers of one question.
     *
     * @param prompt     the prompt asked
     * @param options    how the answers were sampled
     * @param edit       the edit in raw code units, or null when none was made
     * @param form       the splice form of the edit (null without one)
     * @param beforeRaw  the clean answers as decoded, in sample order
     * @param afterRaw   the edited answers as decoded, in sample order, or null without an edit
     */
    public record Result(saelab.lm.AskedPrompt prompt, AnswerSampling.Options options, LatentEdit edit, SpliceForm form, List<String> beforeRaw,
                         List<String> afterRaw) {

        /** Copies the lists. */
        public Result {
            beforeRaw = List.copyOf(beforeRaw);
            afterRaw = afterRaw == null ? null : List.copyOf(afterRaw);
        }

        /** The clean answers tallied. */
        public AnswerTally before() {
            return AnswerTally.of(beforeRaw);
        }

        /** The edited answers tallied, or null without an edit. */
        public AnswerTally after() {
            return afterRaw == null ? null : AnswerTally.of(afterRaw);
        }

        /** Pairs (same sample index, same seed) whose normalised answers differ; 0 without an edit. */
        public int changedPairs() {
            if (afterRaw == null) {
                return 0;
            }
            List<String> b = before().answers();
            List<String> a = after().answers();
            int n = 0;
            for (int i = 0; i < b.size(); i++) {
                n += b.get(i).equals(a.get(i)) ? 0 : 1;
            }
            return n;
        }
    }

    private VlmAsk() {}

    /**
     * The model's pixel values of an image, {@code [1, 3, S, S]} float32 on {@code nd}.
     *
     * @throws IllegalArgumentException when the preprocessing does not give the vision tower's image size
     */
    public static NDArray pixels(LlavaModel model, Preprocessor pre, RgbImage image, NDManager nd) {
        int size = model.config().visionConfig().integer("image_size", 224);
        ResizeRule.Size out = pre.config().outputSize(image.width(), image.height());
        if (out.width() != size || out.height() != size) {
            throw new IllegalArgumentException(pre.config().source() + ": the preprocessing gives " + out.width() + " x " + out.height()
                    + " images but the vision tower takes " + size + " x " + size + " (vision_config.image_size)");
        }
        return nd.create(pre.apply(image), new Shape(1, 3, size, size));
    }

    /**
     * Resolves an edit spec to raw code units: unit {@code max} reads the maxima of its analysis folder.
     *
     * @throws IllegalArgumentException for a latent outside [0, dSae), or an analysis folder that is not one or was made with another SAE
     */
    public static LatentEdit resolve(EditSpec spec, int dSae) throws IOException {
        for (int l : spec.latentIds()) {
            if (l >= dSae) {
                throw new IllegalArgumentException("latent " + l + " is outside the SAE's d_sae=" + dSae + " latents (0-based 0.." + (dSae - 1)
                        + ")");
            }
        }
        LatentMaxima m = spec.unit() == ValueUnit.MAX ? LatentMaxima.read(Path.of(spec.analysis())).requireDSae(dSae) : null;
        return spec.resolve(m);
    }

    /**
     * Samples the answers before and, when an edit is given, after it.
     *
     * @param pixels   {@code [1, 3, S, S]} the image's pixel values ({@link #pixels})
     * @param sae      the SAE of the selected features, or null for clean answers only
     * @param edit     the edit (raw code units), or null for clean answers only
     * @param progress told the number of answers finished after each batch, over both runs (may be null)
     * @throws IllegalArgumentException for a question that does not fit the context, an SAE whose d_model is not the vision
     *                                  width, an edit of a latent outside [0, d_sae), tokens the model does not read, or an
     *                                  edit without an SAE
     */
    public static Result ask(LlavaModel model, TextTokenizer tokenizer, NDArray pixels, ChatTemplate template, String question,
                             AnswerSampling.Options options, Sae sae, LatentEdit edit, SpliceForm form, IntConsumer progress) {
        if ((sae == null) != (edit == null)) {
            throw new IllegalArgumentException(sae == null ? "an edit needs the SAE of the vision features (--sae)"
                    : "an SAE was given without an edit (--edit)");
        }
        try (NDManager scope = pixels.getManager().newSubManager()) {
            NDArray clean = model.selectedFeatures(pixels);
            clean.attach(scope);
            if (clean.getShape().get(0) != 1) {
                throw new IllegalArgumentException("the pixels hold " + clean.getShape().get(0) + " images; expected one");
            }
            int n = Math.toIntExact(clean.getShape().get(1));
            LlavaPrompt prompt = LlavaPrompt.build(model.config(), tokenizer, template, question, n, options.maxNewTokens());
            NDArray edited = null;
            if (edit != null) {
                try (VlmFeatureEdit splice = VlmFeatureEdit.llava(model, sae, clean)) {
                    edited = splice.apply(edit, form, scope); // checked before any sampling
                }
            }
            List<String> before = AnswerSampling.sample(model, tokenizer, clean, prompt, options, progress);
            List<String> after = edited == null ? null : AnswerSampling.sample(model, tokenizer, edited, prompt, options, progress);
            return new Result(prompt, options, edit, edit == null ? null : form, before, after);
        }
    }
}
