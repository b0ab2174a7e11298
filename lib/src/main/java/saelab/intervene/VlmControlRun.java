package saelab.intervene;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import saelab.analysis.AnalysisResult;
import saelab.image.ImageDecoder;
import saelab.image.Preprocessor;
import saelab.intervene.stats.DoseGrid;
import saelab.io.RequiredPaths;
import saelab.io.Sha256;
import saelab.lm.AnswerTally;
import saelab.lm.ChatTemplate;
import saelab.lm.TextTokenizer;
import saelab.lm.llava.LlavaModel;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;

/**
 * One run of the VLM control protocol from files to an output folder: the entry point behind {@code saelab control vlm}
 * and the demo's {@code control-vlm-<id>} step. It reads the concepts folder (the latent chosen per class of one label
 * family on the training split, {@link ConceptChoice}), the question file ({@link VlmQuestionFile}: image, question,
 * expected answer per row), the analysis folder (frequencies and maxima), loads the LLaVA folder, its tokenizer and the
 * SAE of its selected vision features, runs {@link VlmProtocol} with every image token edited
 * ({@link EditTokens#allPatches()}) and writes its report ({@link VlmProtocolReport}) with every input and checksum.
 *
 * <p><b>Classes.</b> The answers are the class names of the family's rows (compared after {@link AnswerTally#normalise});
 * by default the classes are those names that have a chosen latent and are the answer of at least one question, in the
 * concepts file's order, so a swap adds another class the questions can be answered with (a row such as the toy
 * families' {@code none}, which no question answers, is left out).
 */
public final class VlmControlRun {

    /**
     * What to run.
     *
     * @param modelId          the model's id as given (recorded)
     * @param model            the LLaVA folder (its tokenizer and preprocessing inside it)
     * @param sae              the SAE checkpoint of the selected vision features
     * @param analysis         the analysis folder of the SAE (latent maxima and frequencies)
     * @param concepts         the concepts folder of {@code saelab concepts} on the training split
     * @param family           the label family of its {@code concepts.csv}, or null when it holds one
     * @param questions        the question file
     * @param root             the folder the question file's image paths are relative to
     * @param out              the output folder
     * @param classes          the class names, or null for the default (see the class comment)
     * @param maxQuestions     the first questions of the file used
     * @param randomLatents    frequency-matched random latent draws
     * @param randomDirections norm-matched random direction draws
     * @param maxNewTokens     the most tokens of an answer
     * @param template         the chat template
     * @param seed             the seed of every random choice
     * @param bootstrap        bootstrap replicates
     * @param tolerance        frequency matching tolerance in decades
     * @param swapDose         the swap's dose of the added latent, × its maximum (1: the protocol's swap)
     * @param doses            the swap's dose grid, or null for no dose-response
     * @param excludeConcepts  whether the random-latent controls leave out the latents of the answer classes (concept-step
     *                         F1 at least {@value ControlDrawConcepts#THRESHOLD}; {@link ControlDrawConcepts#conceptLatents})
     */
    public record Request(String modelId, Path model, Path sae, Path analysis, Path concepts, String family, Path questions, Path root, Path out,
                          List<String> classes, int maxQuestions, int randomLatents, int randomDirections, int maxNewTokens,
                          ChatTemplate template, long seed, int bootstrap, double tolerance, double swapDose, DoseGrid doses,
                          boolean excludeConcepts) {

        public Request {
            if (maxQuestions < 1) {
                throw new IllegalArgumentException("--max-questions is " + maxQuestions + "; expected at least 1");
            }
            classes = classes == null ? null : List.copyOf(classes);
        }
    }

    /**
     * What a run reports back.
     *
     * @param result  the protocol's answers
     * @param summary the {@code summary.json} written
     * @param index   the {@code index.json} written (last)
     */
    public record Outcome(VlmProtocol.Result result, Map<String, Object> summary, Path index) {}

    private VlmControlRun() {}

    /**
     * Runs the protocol of {@code q}, logging progress (rate and time left) to {@code log}.
     *
     * @param drawer draws the figures from the summary, or null for none
     * @throws IllegalArgumentException one sentence naming the file or option: a folder that is not a LLaVA model, a concepts
     *                                  folder of another SAE or without the family, a bad question row, an unreadable image
     */
    public static Outcome run(Request q, VlmProtocolReport.FigureDrawer drawer, PrintStream log) throws IOException {
        RequiredPaths.folder(q.model(), "a LLaVA model folder (config.json with model_type \"llava\")");
        if (!LlavaModel.isLlavaFolder(q.model())) {
            throw new IllegalArgumentException("the model folder " + q.model() + " holds no LLaVA model (config.json with model_type"
                    + " \"llava\"); the VLM control protocol runs LlavaForConditionalGeneration folders");
        }
        RequiredPaths.file(q.sae(), "an SAE checkpoint (sae.safetensors) of the VLM's selected vision features");
        RequiredPaths.folder(q.concepts(), "a concepts folder (saelab concepts)");
        RequiredPaths.folder(q.analysis(), "an analysis folder (saelab analyze)");
        RequiredPaths.folder(q.root(), "the folder the question file's image paths are relative to");
        String saeSha = Sha256.of(q.sae());
        int dSae = SaeCheckpoint.config(q.sae()).dSae();
        ConceptChoice family = ConceptChoice.read(q.concepts(), q.family(), saeSha, dSae);
        List<String> named = new ArrayList<>();
        for (int c : family.classes()) {
            named.add(family.choice(c).name());
        }
        List<VlmQuestionFile.Entry> entries = VlmQuestionFile.read(q.questions(), q.root(), q.classes() != null ? q.classes() : named);
        entries = entries.subList(0, Math.min(entries.size(), q.maxQuestions()));
        List<String> classes = q.classes() != null ? q.classes() : answered(family, named, entries);
        if (q.classes() == null) { // re-key the answers to the default classes
            List<VlmQuestionFile.Entry> keyed = new ArrayList<>();
            for (VlmQuestionFile.Entry e : entries) {
                keyed.add(new VlmQuestionFile.Entry(e.row(), e.image(), e.file(), e.text(), classes.indexOf(named.get(e.classId()))));
            }
            entries = keyed;
        }
        ConceptChoice choice = family.alignedTo(classes, "the classes " + String.join(", ", classes));
        for (VlmQuestionFile.Entry e : entries) {
            ConceptChoice.Choice ch = choice.choice(e.classId());
            if (ch == null || ch.latent() < 0) {
                throw new IllegalArgumentException(q.questions() + " row " + e.row() + ": its answer class '" + classes.get(e.classId())
                        + "' has no chosen latent in " + q.concepts().resolve("concepts.csv") + " (family " + q.family() + "); expected"
                        + " answers whose class has a latent to edit");
            }
        }
        AnalysisResult an = AnalysisResult.read(q.analysis());
        int[] excluded = q.excludeConcepts() ? ControlDrawConcepts.conceptLatents(q.concepts(), family, classes, dSae) : new int[0];
        Preprocessor pre = Preprocessor.load(q.model());
        Map<Path, Integer> imageIndex = new LinkedHashMap<>();
        List<float[]> images = new ArrayList<>();
        List<VlmProtocol.Question> questions = new ArrayList<>();
        for (VlmQuestionFile.Entry e : entries) {
            Integer i = imageIndex.get(e.file());
            if (i == null) {
                i = images.size();
                imageIndex.put(e.file(), i);
                images.add(pre.apply(ImageDecoder.decode(e.file())));
            }
            questions.add(new VlmProtocol.Question(i, e.text(), e.classId(), EditTokens.allPatches()));
        }
        VlmProtocol.Options o = new VlmProtocol.Options(classes, q.randomLatents(), q.randomDirections(), q.maxNewTokens(), q.template(),
                q.seed(), q.bootstrap(), q.tolerance(), q.swapDose(), q.doses());
        try (LlavaModel m = LlavaModel.load(q.model()); TextTokenizer tok = TextTokenizer.load(q.model());
             NDManager nd = NDManager.newBaseManager()) {
            Sae s = SaeCheckpoint.read(q.sae(), nd);
            VlmProtocol.Result r = VlmProtocol.measure(new VlmProtocol.Inputs(m, tok, s, choice, an, images, List.copyOf(questions), excluded), o,
                    log);
            ControlDrawConcepts draws = ControlDrawConcepts.read(q.concepts(), family, r, dSae);
            Map<String, Object> summary = VlmProtocolReport.write(q.out(), r, "saelab control vlm", inputs(q, saeSha, images.size(), excluded),
                    drawer, draws);
            return new Outcome(r, summary, q.out().resolve("index.json"));
        }
    }

    /** The family's names with a chosen latent that some question answers, in the concepts file's order. */
    private static List<String> answered(ConceptChoice family, List<String> named, List<VlmQuestionFile.Entry> entries) {
        boolean[] used = new boolean[named.size()];
        entries.forEach(e -> used[e.classId()] = true);
        List<String> out = new ArrayList<>();
        for (int k = 0; k < named.size(); k++) {
            if (used[k]) {
                out.add(named.get(k));
            }
        }
        return out;
    }

    private static Map<String, Object> inputs(Request q, String saeSha, int images, int[] excluded) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", q.modelId());
        Path weights = q.model().resolve("model.safetensors");
        m.put("model_sha256", Files.isRegularFile(weights) ? Sha256.of(weights) : null);
        m.put("sae", q.sae().toString());
        m.put("sae_sha256", saeSha);
        m.put("analysis", q.analysis().toString());
        m.put("concepts", q.concepts().toString());
        m.put("family", q.family());
        m.put("questions", q.questions().toString());
        m.put("questions_sha256", Sha256.of(q.questions()));
        m.put("image_root", q.root().toString());
        m.put("images", images);
        m.put("max_questions", q.maxQuestions());
        m.put("tokens", "all image tokens");
        m.put("random_latents_exclude", q.excludeConcepts() ? "the answer classes' concept latents (concept-step F1 >= "
                + ControlDrawConcepts.THRESHOLD + ")" : "none");
        m.put("excluded_latents", excluded);
        return m;
    }
}
