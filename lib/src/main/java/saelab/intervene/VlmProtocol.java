package saelab.intervene;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import saelab.analysis.AnalysisResult;
import saelab.intervene.stats.ClusterBootstrap;
import saelab.intervene.stats.DoseGrid;
import saelab.intervene.stats.FrequencyMatchedLatents;
import saelab.intervene.stats.RandomDirections;
import saelab.intervene.stats.TokenEdits;
import saelab.io.Progress;
import saelab.lm.AnswerTally;
import saelab.lm.ChatTemplate;
import saelab.lm.GenerationOptions;
import saelab.lm.GenerationResult;
import saelab.lm.SamplingOptions;
import saelab.lm.TextTokenizer;
import saelab.lm.llava.LlavaModel;
import saelab.lm.llava.LlavaPrompt;
import saelab.sae.Sae;

/**
 * The VLM control protocol (issue 15, item 6; Section 5.3 of the paper): over held-out questions "what colour is the
 * &lt;shape&gt;?" whose true answer is class c, the greedy (temperature 0) answer of a LLaVA model before and after SAE
 * edits of its selected vision features ({@link VlmFeatureEdit}: encode, edit, decode, error kept), against controls
 * that edit the same tokens with the same dose. Unlike the one published quantitative VLM-steering protocol (a fixed
 * dose, the error dropped, no random control), the error is kept, so the no-edit splice is the clean model, and every
 * effect is compared with a frequency-matched random latent and a random direction of the real edit's per-token norm.
 *
 * <p><b>Per question</b>, in one batch of greedy generations from the image's features:
 * <ol>
 *   <li>clean: the features as the tower gives them;</li>
 *   <li>no edit: through the splice with every code left as it is; it must give the clean answer token for token
 *       (faithfulness), else the run stops with one sentence ({@link IllegalStateException}), since no effect could be
 *       trusted;</li>
 *   <li>{@link Operation#SUPPRESS}: set c's chosen latent to 0;</li>
 *   <li>{@link Operation#SWAP}: set c's latent to 0 and the latent of c' to its maximum activation
 *       ({@link LatentMaxima}; times {@link Options#swapDose}, 1 unless a confirmatory run fixes another dose), c' the next class after c in the options' order that has a chosen latent other than c's
 *       (cyclic: the next colour of the world's order; a class whose best latent is c's own, as a generic "object" latent
 *       can be for several shapes, is skipped, since adding the latent just ablated is no swap);</li>
 *   <li>controls of each operation: the same operation on frequency-matched random latents
 *       ({@link FrequencyMatchedLatents}; for a swap, a random latent matched to c's and another matched to c''s, the
 *       latter at its own maximum), and the real edit's Δx per-token norms along a random direction shared by the
 *       image's tokens ({@link RandomDirections}).</li>
 *   <li>the swap's dose-response, when the options hold a {@link DoseGrid}: the swap with c''s latent set to dose ×
 *       its maximum (dose 1 is the swap above, dose 0 the suppress), each dose with the same controls (the random
 *       latents at dose × their own maxima, the swap's random directions at that dose's per-token norm). An exploratory sweep: the
 *       protocol's pre-registered measures are those of the swap at its maximum.</li>
 * </ol>
 * <b>Tokens.</b> Each question names the tokens edited ({@link Question#tokens}); the toy protocol edits every image
 * token ({@link EditTokens#allPatches()}): the colour latents fire only where their colour is, so an ablation touches
 * the asked object's tokens (and any other object of that colour, which the answer cannot be about anyway), and a
 * swap everywhere makes the added colour the only one the model can read, the strongest test of "the latent carries
 * the colour the answer reports". An object's own patches can be passed instead.
 *
 * <p>The measures (answer change rate; rate of answering c' under a swap), their intervals and tests are written by
 * {@link VlmProtocolReport}. Not thread-safe.
 */
public final class VlmProtocol {

    /** The edit of the asked object's class. */
    public enum Operation {
        /** Ablate the class's latent. */
        SUPPRESS("suppress"),
        /** Ablate the class's latent and set the next class's latent to its maximum. */
        SWAP("swap");

        private final String id;

        Operation(String id) {
            this.id = id;
        }

        /** The name in the output files. */
        public String id() {
            return id;
        }
    }

    /**
     * One question about one image.
     *
     * @param image   the image's index in {@link Inputs#images()}
     * @param text    the question, e.g. "what colour is the circle?"
     * @param classId the class of the true answer, an index into {@link Options#classes()}
     * @param tokens  the vision tokens edited
     */
    public record Question(int image, String text, int classId, EditTokens tokens) {}

    /**
     * What to run.
     *
     * @param classes          the class names in order (the answers, compared after {@link AnswerTally#normalise}); the
     *                         swap target is the next one with a chosen latent
     * @param randomLatents    frequency-matched random latent draws per operation (≥ 0)
     * @param randomDirections random direction draws per operation (≥ 0)
     * @param maxNewTokens     the most tokens of an answer
     * @param template         the chat template of the prompts
     * @param seed             seed of the control draws, the bootstrap and the tests
     * @param bootstrap        B, bootstrap replicates
     * @param tolerance        frequency matching tolerance, in decades
     * @param swapDose         the dose of the swap's added latent, in units of its maximum (1: the protocol's own swap;
     *                           another dose is a confirmatory run of a dose the dose-response suggested)
     * @param doses            the swap's dose grid (c''s latent set to dose × its maximum), or null for no dose-response
     */
    public record Options(List<String> classes, int randomLatents, int randomDirections, int maxNewTokens, ChatTemplate template, long seed,
                          int bootstrap, double tolerance, double swapDose, DoseGrid doses) {
        public Options {
            classes = List.copyOf(classes);
            if (!Double.isFinite(swapDose) || swapDose <= 0) {
                throw new IllegalArgumentException("the swap dose is " + swapDose + "; expected a positive number of the added latent's maxima"
                        + " (1 for the protocol's swap)");
            }
            if (classes.size() < 2) {
                throw new IllegalArgumentException("the VLM protocol needs at least two classes (a swap adds another class), got " + classes.size());
            }
            if (randomLatents < 0 || randomDirections < 0) {
                throw new IllegalArgumentException("control draws must be at least 0, got " + randomLatents + " random latents and "
                        + randomDirections + " random directions");
            }
            if (maxNewTokens < 1) {
                throw new IllegalArgumentException("max tokens is " + maxNewTokens + "; expected at least 1 new token per answer");
            }
            new ClusterBootstrap.Options(bootstrap, 0.95, seed); // refuse a bad replicate count before the run
        }

        /** Conditions per operation: the real edit, then the random latents, then the random directions. */
        public int slots() {
            return 1 + randomLatents + randomDirections;
        }

        /** The doses of the dose-response (none without a grid). */
        public double[] doseValues() {
            return doses == null ? new double[0] : doses.doses();
        }
    }

    /**
     * What it runs on.
     *
     * @param model     the VLM
     * @param tokenizer its tokenizer
     * @param sae       the SAE of its selected features
     * @param concepts  the latent chosen per class, aligned to {@link Options#classes()} by name
     *                  ({@link ConceptChoice#alignedTo})
     * @param analysis  the analysis of the SAE on those features (frequencies for matching, maxima for the swap dose)
     * @param images    per image, its {@code [3, S, S]} pixel values as the model's preprocessing gives them
     * @param questions the questions
     * @param excluded  latents no random-latent control draws (sorted; e.g. every latent of the family's concepts, so that
     *                  a control is not itself an instance of the hypothesis), empty for none
     */
    public record Inputs(LlavaModel model, TextTokenizer tokenizer, Sae sae, ConceptChoice concepts, AnalysisResult analysis,
                         List<float[]> images, List<Question> questions, int[] excluded) {

        public Inputs {
            excluded = excluded.clone();
            Arrays.sort(excluded);
        }

        /** Inputs whose controls may draw any latent. */
        public Inputs(LlavaModel model, TextTokenizer tokenizer, Sae sae, ConceptChoice concepts, AnalysisResult analysis,
                      List<float[]> images, List<Question> questions) {
            this(model, tokenizer, sae, concepts, analysis, images, questions, new int[0]);
        }

        @Override
        public int[] excluded() {
            return excluded.clone();
        }

        boolean isExcluded(int latent) {
            return Arrays.binarySearch(excluded, latent) >= 0;
        }
    }

    /**
     * The answers of one question.
     *
     * @param question the question
     * @param clean    the clean answer, normalised
     * @param answers  per operation and slot, the normalised answer ({@code [2][slots]})
     * @param doses    per dose of the options' grid and slot, the normalised answer under the swap at that dose
     *                 ({@code [doses][slots]}, empty without a grid)
     */
    public record Outcome(Question question, String clean, String[][] answers, String[][] doses) {

        /** Whether the answer of an operation's slot differs from the clean one. */
        public boolean changed(Operation op, int slot) {
            return !answers[op.ordinal()][slot].equals(clean);
        }

        @Override
        public String toString() {
            return "Outcome[question=" + question + ", clean=" + clean + ", answers=" + Arrays.deepToString(answers) + ", doses="
                    + Arrays.deepToString(doses) + "]";
        }
    }

    /**
     * A finished run.
     *
     * @param options    what ran
     * @param latents    per class, the chosen latent (−1 without one)
     * @param swapTarget per class, the class c' its swap adds (−1 without a latent)
     * @param random     per class, the frequency-matched latents of its suppress and swap controls
     * @param swapRandom per class, the frequency-matched latents (matched to c''s) the swap controls add
     * @param images     the number of images (the bootstrap's clusters)
     * @param outcomes   one per question, in question order
     */
    public record Result(Options options, int[] latents, int[] swapTarget, int[][] random, int[][] swapRandom, int images,
                         List<Outcome> outcomes) {}

    private VlmProtocol() {}

    /**
     * Runs the protocol and writes its folder ({@link VlmProtocolReport}).
     *
     * @param inputs  recorded in index.json (model, SAE, ... with checksums)
     * @return the summary as written to summary.json
     */
    public static Map<String, Object> run(Inputs in, Options o, Path out, String command, Map<String, Object> inputs, PrintStream log)
            throws IOException {
        return VlmProtocolReport.write(out, measure(in, o, log), command, inputs);
    }

    /**
     * Measures every question.
     *
     * @param log told the progress (may be null)
     * @throws IllegalArgumentException for a question's class outside the options' classes or without a chosen latent, an
     *                                  image index outside the images, too few frequency-matched latents, or an SAE that does
     *                                  not read the features
     * @throws IllegalStateException    when the no-edit splice does not give the clean answer token for token (a bug)
     */
    public static Result measure(Inputs in, Options o, PrintStream log) {
        int classes = o.classes().size();
        if (in.questions().isEmpty()) {
            throw new IllegalArgumentException("the VLM protocol got no question; expected colour questions about held-out images");
        }
        LatentMaxima maxima = LatentMaxima.of(in.analysis(), "the analysis").requireDSae(in.sae().config().dSae());
        int[] latents = new int[classes];
        for (int c = 0; c < classes; c++) {
            ConceptChoice.Choice ch = in.concepts().choice(c);
            latents[c] = ch == null ? -1 : ch.latent();
        }
        int[] swapTarget = new int[classes];
        int[][] random = new int[classes][];
        int[][] swapRandom = new int[classes][];
        Arrays.fill(swapTarget, -1);
        for (Question q : in.questions()) {
            int c = q.classId();
            if (c < 0 || c >= classes) {
                throw new IllegalArgumentException("question '" + q.text() + "' has class " + c + "; expected one of the " + classes
                        + " classes (0.." + (classes - 1) + ")");
            }
            if (q.image() < 0 || q.image() >= in.images().size()) {
                throw new IllegalArgumentException("question '" + q.text() + "' is about image " + q.image() + "; expected one of the "
                        + in.images().size() + " images");
            }
            if (random[c] == null) {
                int latent = in.concepts().latent(c); // one sentence when the class has no latent
                int next = nextWithLatent(latents, c);
                if (next < 0) {
                    throw new IllegalArgumentException("class " + o.classes().get(c) + " has the only chosen latent (" + latent + ") of the "
                            + classes + " classes, so a swap has no other latent to add; expected at least two classes with distinct latents");
                }
                swapTarget[c] = next;
                random[c] = draw(in, latent, o, o.randomLatents(), o.seed() + c);
                int[] pool = draw(in, latents[next], o, o.randomLatents() + 1, o.seed() + 7919L * (c + 1));
                swapRandom[c] = new int[o.randomLatents()];
                for (int k = 0; k < o.randomLatents(); k++) { // pool is distinct, so at most one entry equals random[c][k]
                    swapRandom[c][k] = pool[k] != random[c][k] ? pool[k] : pool[o.randomLatents()];
                }
            }
        }
        for (int c = 0; c < classes; c++) {
            random[c] = random[c] == null ? new int[0] : random[c];
            swapRandom[c] = swapRandom[c] == null ? new int[0] : swapRandom[c];
        }
        List<Outcome> outcomes = new ArrayList<>();
        Progress progress = new Progress("vlm protocol", "questions", in.questions().size(),
                log == null ? new PrintStream(OutputStream.nullOutputStream()) : log, 2000);
        for (int i = 0; i < in.questions().size(); i++) {
            Question q = in.questions().get(i);
            int c = q.classId();
            outcomes.add(question(in, o, maxima, i, q, latents[c], latents[swapTarget[c]], random[c], swapRandom[c]));
            progress.advance(1);
        }
        progress.finish();
        return new Result(o, latents, swapTarget, random, swapRandom, in.images().size(), List.copyOf(outcomes));
    }

    /** The next class after c (cyclic) with a chosen latent other than c's, or −1. */
    private static int nextWithLatent(int[] latents, int c) {
        for (int k = 1; k < latents.length; k++) {
            int next = (c + k) % latents.length;
            if (latents[next] >= 0 && latents[next] != latents[c]) {
                return next;
            }
        }
        return -1;
    }

    private static int[] draw(Inputs in, int latent, Options o, int draws, long seed) {
        return draws == 0 ? new int[0] : FrequencyMatchedLatents.draw(in.analysis(), latent, o.tolerance(), draws, seed, in::isExcluded);
    }

    /**
     * The edit of one operation on the given latents: ablate {@code from}, and for a swap set {@code to} to
     * {@code swapDose} × its maximum.
     */
    static LatentEdit edit(Operation op, EditTokens tokens, int from, int to, LatentMaxima maxima, double swapDose) {
        if (op == Operation.SUPPRESS) {
            return new LatentEdit(null, tokens, new int[] {from}, EditOperation.SET, new float[] {0f}, ErrorPolicy.KEEP);
        }
        return swap(tokens, from, to, swapDose, maxima);
    }


    /** The swap at a dose: ablate {@code from} and set {@code to} to {@code dose} × its maximum. */
    static LatentEdit swap(EditTokens tokens, int from, int to, double dose, LatentMaxima maxima) {
        return new LatentEdit(null, tokens, new int[] {from, to}, EditOperation.SET, new float[] {0f, (float) (dose * maxima.of(to))},
                ErrorPolicy.KEEP);
    }

    /** One question: every condition's features in one batch, then one greedy generation. */
    private static Outcome question(Inputs in, Options o, LatentMaxima maxima, int index, Question q, int latent, int target, int[] random,
                                    int[] swapRandom) {
        LlavaModel model = in.model();
        int size = model.config().visionConfig().integer("image_size", 224);
        float[] pixels = in.images().get(q.image());
        if (pixels.length != 3L * size * size) {
            throw new IllegalArgumentException("image " + q.image() + " has " + pixels.length + " pixel values; expected 3 x " + size + " x "
                    + size + " (vision_config.image_size)");
        }
        int slots = o.slots();
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray clean = model.selectedFeatures(nd.create(pixels, new Shape(1, 3, size, size)));
            clean.attach(nd);
            int n = Math.toIntExact(clean.getShape().get(1));
            LlavaPrompt prompt = LlavaPrompt.build(model.config(), in.tokenizer(), o.template(), q.text(), n, o.maxNewTokens());
            List<NDArray> rows = new ArrayList<>(2 + (2 + o.doseValues().length) * slots);
            rows.add(clean);
            try (VlmFeatureEdit splice = VlmFeatureEdit.llava(model, in.sae(), clean)) {
                LatentEdit keep = new LatentEdit(null, q.tokens(), new int[] {latent}, EditOperation.SCALE, new float[] {1f}, ErrorPolicy.KEEP);
                rows.add(splice.apply(keep, SpliceForm.DELTA, nd));
                float[] cleanFlat = clean.toFloatArray();
                for (Operation op : Operation.values()) {
                    addConditions(rows, splice, clean, cleanFlat, o, index, RandomDirections.seedFor(o.seed(), op.ordinal(), q.classId()),
                            (from, to) -> edit(op, q.tokens(), from, to, maxima, o.swapDose()), latent, target, random, swapRandom);
                }
                // every dose draws the swap's random directions (scaled to its own norms), so the curves are paired across
                // doses and dose 1 repeats the swap exactly
                long swapSeed = RandomDirections.seedFor(o.seed(), Operation.SWAP.ordinal(), q.classId());
                for (double dose : o.doseValues()) {
                    addConditions(rows, splice, clean, cleanFlat, o, index, swapSeed, (from, to) -> swap(q.tokens(), from, to, dose, maxima),
                            latent, target, random, swapRandom);
                }
            }
            // the protocol's conditions in one batch, then each dose's in its own (a batch the size of one dose's slots: the
            // answers of the protocol do not depend on whether a dose grid was asked for, and the batch stays small on a big VLM)
            int base = 2 + Operation.values().length * slots;
            long[][] answers = greedy(model, nd, rows.subList(0, base), prompt, o.maxNewTokens());
            if (!Arrays.equals(answers[0], answers[1])) {
                throw new IllegalStateException("with the SAE spliced in and no edit, the model answers '" + decode(in, answers[1])
                        + "' (ids " + Arrays.toString(answers[1]) + ") to '" + q.text() + "' about image " + q.image() + " where the clean model"
                        + " answers '" + decode(in, answers[0]) + "' (ids " + Arrays.toString(answers[0]) + "); the edit path is broken, so"
                        + " no effect could be trusted");
            }
            String[][] out = new String[Operation.values().length][slots];
            for (Operation op : Operation.values()) {
                for (int s = 0; s < slots; s++) {
                    out[op.ordinal()][s] = decode(in, answers[2 + op.ordinal() * slots + s]);
                }
            }
            String[][] doses = new String[o.doseValues().length][slots];
            for (int k = 0; k < doses.length; k++) {
                long[][] dosed = greedy(model, nd, rows.subList(base + k * slots, base + (k + 1) * slots), prompt, o.maxNewTokens());
                for (int s = 0; s < slots; s++) {
                    doses[k][s] = decode(in, dosed[s]);
                }
            }
            return new Outcome(q, decode(in, answers[0]), out, doses);
        }
    }

    /** The edit of a condition on the latent to ablate and the latent to add. */
    @FunctionalInterface
    private interface EditRule {
        LatentEdit of(int from, int to);
    }

    /**
     * Appends one edit's conditions to {@code rows}: the real edit, the same edit on each frequency-matched random latent
     * pair, and random directions of the real edit's per-token norm (drawn from {@code seed}, one per draw and question).
     */
    private static void addConditions(List<NDArray> rows, VlmFeatureEdit splice, NDArray clean, float[] cleanFlat, Options o, int index, long seed,
                                      EditRule rule, int latent, int target, int[] random, int[] swapRandom) {
        NDManager nd = clean.getManager();
        NDArray real = splice.apply(rule.of(latent, target), SpliceForm.DELTA, nd);
        rows.add(real);
        for (int k = 0; k < o.randomLatents(); k++) {
            rows.add(splice.apply(rule.of(random[k], swapRandom[k]), SpliceForm.DELTA, nd));
        }
        if (o.randomDirections() > 0) {
            int n = Math.toIntExact(clean.getShape().get(1));
            int d = Math.toIntExact(clean.getShape().get(2));
            float[] dx = real.toFloatArray();
            for (int j = 0; j < dx.length; j++) {
                dx[j] -= cleanFlat[j];
            }
            float[] norms = TokenEdits.norms(dx, d);
            for (int k = 0; k < o.randomDirections(); k++) {
                float[] rd = RandomDirections.edit(norms, d, RandomDirections.Sharing.PER_IMAGE, RandomDirections.seedFor(seed, index, k));
                rows.add(nd.create(rd, new Shape(1, n, d)).add(clean));
            }
        }
    }

    private static String decode(Inputs in, long[] ids) {
        return AnswerTally.normalise(in.tokenizer().decode(ids, true));
    }

    /** Greedy answers of every row of features (one image each) to the same prompt, cut before the first stop token. */
    private static long[][] greedy(LlavaModel model, NDManager nd, List<NDArray> rows, LlavaPrompt prompt, int maxNewTokens) {
        NDArray features = NDArrays.concat(new NDList(rows), 0);
        int b = rows.size();
        long[] ids = prompt.ids();
        long[] flat = new long[b * ids.length];
        for (int r = 0; r < b; r++) {
            System.arraycopy(ids, 0, flat, r * ids.length, ids.length);
        }
        int[] stops = model.config().stopTokenIds().stream().mapToInt(Integer::intValue).toArray();
        GenerationOptions g = new GenerationOptions(maxNewTokens, SamplingOptions.greedy(), stops, model.config().padTokenId(), false);
        try (GenerationResult result = model.generateFromFeatures(features, nd.create(flat, new Shape(b, ids.length)), null, g)) {
            long[][] out = new long[b][];
            for (int r = 0; r < b; r++) {
                long[] row = result.newIds()[r];
                int end = 0;
                while (end < row.length && !g.stops(row[end])) {
                    end++;
                }
                out[r] = Arrays.copyOf(row, end);
            }
            return out;
        }
    }
}
