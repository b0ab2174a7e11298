package saelab.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import saelab.intervene.VlmControlRun;
import saelab.intervene.stats.DoseGrid;
import saelab.lm.ChatTemplate;
import saelab.plot.VlmDosePlot;
import saelab.plot.VlmProtocolPlot;

/** {@code saelab control vlm}: the VLM control protocol (suppress and swap edits of a class's latent against matched controls). */
@Command(name = "vlm", mixinStandardHelpOptions = true,
        description = {"The VLM control protocol: for each question of --questions (image, question, expected answer per row; JSON lines"
                + " or CSV), the greedy answer of a LLaVA model before and after editing its selected vision features through the SAE"
                + " (error kept): suppress the answer class's latent (concepts folder, best F1, --family), or swap it for the next class's"
                + " latent at its maximum; against frequency-matched random latents and random directions of the same per-token norm."
                + " No-edit faithfulness token for token, cluster-bootstrap intervals over images, paired sign-flip tests with Holm's"
                + " correction. Writes per-class.csv, answers.csv, summary.json, vlm-protocol.png/pdf/csv and index.json."})
final class ControlVlmCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    SaeFileOption sae;

    @Option(names = "--analysis", required = true, description = "the analysis folder of 'saelab analyze' for the SAE (latent maxima, frequencies)")
    Path analysis;

    @Option(names = "--concepts", required = true, description = "the concepts folder of 'saelab concepts' on the training split")
    Path concepts;

    @Option(names = "--family", paramLabel = "NAME",
            description = "the label family of concepts.csv whose latents are edited (e.g. colour or shape), when it holds several")
    String family;

    @Option(names = "--questions", required = true, paramLabel = "FILE",
            description = "the questions: .jsonl (one object per line) or .csv (a header), fields image (relative to --root), question,"
                    + " answer (a class name of the family)")
    Path questions;

    @Option(names = "--root", paramLabel = "DIR", description = "the folder the image paths are relative to (default: the question file's folder)")
    Path root;

    @Mixin
    OutputFolderOption out;

    @Option(names = "--classes", split = ",", paramLabel = "NAME",
            description = "the answer classes in order, the swap adding the next one (default: the family's classes with a latent that some"
                    + " question answers)")
    List<String> classes;

    @Option(names = "--max-questions", defaultValue = "1000", description = "the first questions of the file used (default ${DEFAULT-VALUE})")
    int maxQuestions;

    @Option(names = "--random-latents", defaultValue = "3", description = "frequency-matched random latents (default ${DEFAULT-VALUE})")
    int randomLatents;

    @Option(names = "--random-directions", defaultValue = "3", description = "norm-matched random directions (default ${DEFAULT-VALUE})")
    int randomDirections;

    @Option(names = "--max-tokens", defaultValue = "4", description = "most new tokens per answer (default ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--template", defaultValue = "llava-1.5", description = "chat template: llava-1.5 (Llama LLaVA) or llava-interleave (Qwen2 LLaVA) (default ${DEFAULT-VALUE})")
    String template;

    @Option(names = "--tolerance", defaultValue = "0.1", description = "frequency matching tolerance in decades (default ${DEFAULT-VALUE})")
    double tolerance;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--bootstrap", defaultValue = "1000", description = "bootstrap replicates (default ${DEFAULT-VALUE})")
    int bootstrap;

    @Option(names = "--exclude-concept-latents", description = "the random-latent controls leave out every latent of an answer class (F1 >= 0.5"
            + " in the concepts folder's concept_f1_<family>.npy), so that no control is itself a latent of the concept under test")
    boolean excludeConcepts;

    @Option(names = "--swap-dose", defaultValue = "1", description = "the swap's dose of the added class's latent, in units of its maximum"
            + " (default ${DEFAULT-VALUE}; another value is a confirmatory run of a dose the dose-response suggested)")
    double swapDose;

    @Option(names = "--doses", defaultValue = "0,1,2,5,10,20", description = "the swap's dose-response: doses of the added class's latent in"
            + " units of its maximum (from:to:count or a list), or 'none'; each dose costs one more answer per condition (default ${DEFAULT-VALUE})")
    String doses;

    @Override
    public Integer call() throws Exception {
        ChatTemplate chat = ChatTemplate.parse(template);
        if (!(swapDose > 0) || Double.isInfinite(swapDose)) {
            throw new IllegalArgumentException("--swap-dose is " + swapDose + "; expected a positive number of the added latent's maxima"
                    + " (1 for the protocol's swap)");
        }
        Path file = CliPaths.requireFile(questions, "a question file (.jsonl or .csv with fields image, question, answer)");
        Path imageRoot = root != null ? root : file.toAbsolutePath().getParent();
        VlmControlRun.Request q = new VlmControlRun.Request(model.model, model.folder(), sae.file(), analysis, concepts, family, file, imageRoot,
                out.folder(), classes, maxQuestions, randomLatents, randomDirections, maxTokens, chat, seed, bootstrap, tolerance, swapDose,
                "none".equalsIgnoreCase(doses.strip()) ? null : DoseGrid.parse(doses, "--doses"), excludeConcepts);
        VlmControlRun.Outcome r = VlmControlRun.run(q, (summary, dir) -> VlmProtocolPlot.writeAll(
                "VLM protocol" + (family == null ? "" : " (" + family + ")"), summary, dir), System.err);
        print(r.summary());
        System.out.println("wrote " + r.index());
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static void print(Map<String, Object> summary) {
        System.out.printf(Locale.ROOT, "%s questions on %s images; clean accuracy %.3f; no-edit answers identical token for token: %s of %s%n",
                summary.get("questions"), summary.get("images"), ((Number) summary.get("clean_accuracy")).doubleValue(),
                ((Map<String, Object>) summary.get("faithfulness")).get("no_edit_identical_tokens"), summary.get("questions"));
        tech.tablesaw.api.Table t = VlmProtocolPlot.table(summary);
        for (int r = 0; r < t.rowCount(); r++) {
            System.out.printf(Locale.ROOT, "  %-26s %-17s %.3f [%.3f, %.3f]%n", t.stringColumn("measure").get(r),
                    t.stringColumn("condition").get(r), t.doubleColumn("rate").get(r), t.doubleColumn("lower").get(r),
                    t.doubleColumn("upper").get(r));
        }
        if (summary.get("dose_response") != null) {
            tech.tablesaw.api.Table d = VlmDosePlot.table(summary);
            System.out.println("swap dose-response (dose x max of c''s latent): answer is c' / answer changed");
            for (int r = 0; r < d.rowCount(); r++) {
                System.out.printf(Locale.ROOT, "  dose %-6s %-17s %.3f [%.3f, %.3f] / %.3f [%.3f, %.3f]%n",
                        DoseGrid.format(d.doubleColumn("dose").get(r)), d.stringColumn("condition").get(r), d.doubleColumn("target_rate").get(r),
                        d.doubleColumn("target_lower").get(r), d.doubleColumn("target_upper").get(r), d.doubleColumn("off_target_rate").get(r),
                        d.doubleColumn("off_target_lower").get(r), d.doubleColumn("off_target_upper").get(r));
            }
        }
    }
}
