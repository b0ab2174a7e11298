package saelab.intervene;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import saelab.image.RgbImage;
import saelab.lm.AskedPrompt;
import saelab.lm.SamplingOptions;
import saelab.lm.TextTokenizer;
import saelab.lm.llava.AnswerSampling;
import saelab.lm.moondream.MoondreamAnswer;
import saelab.lm.moondream.MoondreamEncodedImage;
import saelab.lm.moondream.MoondreamModel;
import saelab.lm.moondream.MoondreamQuery;
import saelab.sae.Sae;

/**
 * {@link VlmAsk} for moondream2: answers to one question about one image before and after an SAE edit of the projection
 * input ({@link VlmFeatureEdit#moondream}: the global and pooled local crop features the vision projection reads; SAE
 * encode, edit, decode, error kept unless the edit drops it). The image is encoded twice (clean, and through the splice),
 * each prefix kept, and every answer is generated from a copy of it with moondream's query template. Answer i draws from
 * the generator seeded from (seed, i) as in {@link AnswerSampling} (seed + φ·i for the one-row sampler), so answer i
 * before and answer i after are a pair; an edit that leaves every code as it is gives the clean answers token for token.
 */
public final class MoondreamAsk {

    /** The name of moondream's query template in the records. */
    public static final String TEMPLATE = "moondream-query";
    private static final long PHI = 0x9E3779B97F4A7C15L;

    /**
     * A question as moondream was asked it.
     *
     * @param question    the question as given
     * @param ids         the prompt ids after the image (the query template's prefix, the question, its suffix twice)
     * @param imageTokens the image's tokens in the prefix (729)
     */
    public record Prompt(String question, long[] ids, int imageTokens) implements AskedPrompt {

        /** Copies the ids. */
        public Prompt {
            ids = ids.clone();
        }

        @Override
        public long[] ids() {
            return ids.clone();
        }

        @Override
        public String templateId() {
            return TEMPLATE;
        }

        /** The question: moondream's template is token ids around it, not text. */
        @Override
        public String text() {
            return question;
        }

        /** Tokens: bos, the image's, then the query's. */
        @Override
        public int length() {
            return 1 + imageTokens + ids.length;
        }
    }

    private MoondreamAsk() {}

    /**
     * Samples the answers before and, when an edit is given, after it.
     *
     * @param options  how many answers, how sampled (moondream ignores the batch size: it answers one at a time)
     * @param sae      the SAE of the projection input, or null for clean answers only
     * @param edit     the edit (raw code units), or null for clean answers only
     * @param progress told each finished answer, over both runs (may be null)
     * @throws IllegalArgumentException for an empty question or one that does not fit the context, an SAE whose d_model is
     *                                  not the projection input's width, an edit of a latent outside [0, d_sae) or of tokens
     *                                  the grid lacks, or an edit without an SAE
     */
    public static VlmAsk.Result ask(MoondreamModel model, TextTokenizer tokenizer, RgbImage image, String question,
                                    AnswerSampling.Options options, Sae sae, LatentEdit edit, SpliceForm form, IntConsumer progress) {
        if ((sae == null) != (edit == null)) {
            throw new IllegalArgumentException(sae == null ? "an edit needs the SAE of the projection input (--sae)"
                    : "an SAE was given without an edit (--edit)");
        }
        if (question == null || question.isBlank()) {
            throw new IllegalArgumentException("the question is empty; expected the text to ask about the image");
        }
        long[] questionIds = tokenizer.encode(question, false);
        long[] promptIds = model.promptIds(questionIds); // one sentence for a question that does not fit, before any work
        Prompt prompt = new Prompt(question, promptIds, model.text().prefixLength() - 1);
        List<String> before;
        List<String> after = null;
        try (MoondreamEncodedImage clean = model.encodeImage(image)) {
            before = answers(model, tokenizer, clean, questionIds, options, progress);
        }
        if (edit != null) {
            try (NDManager scope = NDManager.newBaseManager(model.text().device());
                 MoondreamEncodedImage edited = model.encodeImage(image, features -> {
                     try (VlmFeatureEdit splice = VlmFeatureEdit.moondream(model, sae, features.projectionInput())) {
                         NDArray out = splice.apply(edit, form, scope);
                         return out.reshape(features.projectionInput().getShape());
                     }
                 })) {
                after = answers(model, tokenizer, edited, questionIds, options, progress);
            }
        }
        return new VlmAsk.Result(prompt, options, edit, edit == null ? null : form, before, after);
    }

    private static List<String> answers(MoondreamModel model, TextTokenizer tokenizer, MoondreamEncodedImage image, long[] questionIds,
                                        AnswerSampling.Options options, IntConsumer progress) {
        SamplingOptions base = options.sampling();
        List<String> out = new ArrayList<>(options.samples());
        for (int i = 0; i < options.samples(); i++) {
            SamplingOptions one = new SamplingOptions(base.temperature(), base.topK(), base.topP(), base.seed() + PHI * i);
            MoondreamAnswer a = model.query(image, questionIds, new MoondreamQuery.Settings(options.maxNewTokens(), one, false));
            out.add(tokenizer.decode(a.ids(), true));
            if (progress != null) {
                progress.accept(1);
            }
        }
        return out;
    }
}
