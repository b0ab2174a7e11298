package saelab.demo;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import saelab.heads.HeadKind;
import saelab.heads.HeadTraining;
import saelab.intervene.stats.DoseGrid;
import saelab.plan.StepKind;
import saelab.plan.StepKind.Role;
import saelab.store.TokenKind;
import saelab.toy.ToyVlmSpec;

/**
 * The step kinds a plan may use ({@link saelab.plan.PlanReader}), with their inputs and the records their
 * {@code params} bind to. {@link PlanRunner} builds them on the toy world with the demo's step classes, and on dataset
 * sources (capture, concepts, heads, control) with the classes {@link PlanSteps} names; {@code compare} (latents of two
 * models matched by their activations on the same patches or images) runs on the toy world where both SAEs were
 * trained on captures of the step's world ({@link CompareStep}), and on a dataset source by capturing both models over
 * its first images ({@link DatasetCompareStep}).
 */
public final class PlanKinds {

    /** Capture parameters: the block (0-based, negative from the end: -2 is the second to last) and images per forward pass. */
    public record CaptureParams(int block, int batch) {
        public CaptureParams {
            if (batch < 1) {
                throw new IllegalArgumentException("field 'batch' is " + batch + "; expected a positive number of images");
            }
        }
    }

    /** SAE parameters: which tokens ({@code patches} or {@code cls}) and the training recipe. */
    public record SaeParams(String tokens, SaeRecipe recipe) {
        public SaeParams {
            tokenKind(tokens);
            Objects.requireNonNull(recipe, "recipe");
        }

        /** The token kind. */
        public TokenKind kind() {
            return tokenKind(tokens);
        }
    }

    /** Feature-analysis parameters: top examples kept per latent. */
    public record AnalyzeParams(int topK) {
        public AnalyzeParams {
            if (topK < 1) {
                throw new IllegalArgumentException("field 'top_k' is " + topK + "; expected a positive number");
            }
        }
    }

    /** Concept-matching parameters: most units per unit kind (systematic subsample above) and random baseline draws. */
    public record ConceptParams(int maxUnits, int draws) {
        public ConceptParams {
            if (maxUnits < 1 || draws < 1) {
                throw new IllegalArgumentException("fields 'max_units' and 'draws' are " + maxUnits + " and " + draws
                        + "; expected positive numbers");
            }
        }
    }

    /** The {@code templates} of a heads step without a zero-shot head. */
    public static final String NO_TEMPLATES = "none";
    /** The {@code templates} of a zero-shot head on the toy world: the world's own caption templates. */
    public static final String TOY_TEMPLATES = "toy";

    /**
     * Task-head parameters: which heads ({@code segment}, {@code classify}, {@code zeroshot}), the edit block their
     * capture also records, images per forward pass, training epochs (the other settings {@link HeadTraining#DEFAULT}) and
     * the prompt templates a zero-shot head averages over its class names: {@value #TOY_TEMPLATES} (the toy world's), a set
     * of {@link saelab.text.PromptTemplates#named} ({@code simple7}, {@code openai80}), or {@value #NO_TEMPLATES} without a
     * zero-shot head.
     */
    public record HeadsParams(List<String> heads, int block, int batch, int epochs, String templates) {
        public HeadsParams {
            heads = List.copyOf(heads);
            if (heads.isEmpty()) {
                throw new IllegalArgumentException("field 'heads' is empty; expected some of segment, classify, zeroshot");
            }
            heads.forEach(h -> HeadKind.parse(h, "field 'heads'"));
            if (batch < 1 || epochs < 1) {
                throw new IllegalArgumentException("fields 'batch' and 'epochs' are " + batch + " and " + epochs
                        + "; expected positive numbers");
            }
            boolean zeroShot = heads.stream().anyMatch(h -> HeadKind.parse(h, "field 'heads'") == HeadKind.ZEROSHOT);
            if (zeroShot && templates.equals(NO_TEMPLATES)) {
                throw new IllegalArgumentException("field 'templates' is none, but a zeroshot head is asked for; expected "
                        + TOY_TEMPLATES + " (the toy world's) or one of " + saelab.text.PromptTemplates.NAMES);
            }
            if (!zeroShot && !templates.equals(NO_TEMPLATES)) {
                throw new IllegalArgumentException("field 'templates' is '" + templates + "', but no zeroshot head is asked for;"
                        + " expected none");
            }
            if (zeroShot && !templates.equals(TOY_TEMPLATES)) {
                saelab.text.PromptTemplates.named(templates);
            }
        }

        /** The head kinds. */
        public List<HeadKind> kinds() {
            return heads.stream().map(h -> HeadKind.parse(h, "field 'heads'")).toList();
        }

        /** The heads' optimiser settings. */
        public HeadTraining training() {
            HeadTraining d = HeadTraining.DEFAULT;
            return new HeadTraining(epochs, d.lr(), d.batch(), d.seed(), d.valFraction());
        }
    }

    /**
     * Control-protocol parameters (as {@link ControlSize}): the head edited through, the images measured, draws of each
     * random control, the dose grid, bootstrap replicates, the frequency-matching tolerance in decades, and whether the
     * random-latent control leaves out the latents of every class run (concept-step F1 at least 0.5;
     * {@link saelab.intervene.ControlDrawConcepts#conceptLatents}, what {@code saelab control --exclude-concept-latents} does).
     */
    public record ControlParams(String head, int images, int draws, double[] doses, int bootstrap, double tolerance,
                                boolean excludeConceptLatents) {
        public ControlParams {
            HeadKind.parse(head, "field 'head'");
            new ControlSize(images, 1, draws, doses, bootstrap, tolerance); // the same checks
            doses = doses.clone();
        }

        /** The head kind. */
        public HeadKind kind() {
            return HeadKind.parse(head, "field 'head'");
        }

        /** As a {@link ControlSize} whose head epochs are those of the heads the protocol edits through. */
        public ControlSize size(int headEpochs) {
            return new ControlSize(images, headEpochs, draws, doses, bootstrap, tolerance);
        }

        @Override
        public double[] doses() {
            return doses.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ControlParams c && head.equals(c.head) && images == c.images && draws == c.draws
                    && Arrays.equals(doses, c.doses) && bootstrap == c.bootstrap && tolerance == c.tolerance
                    && excludeConceptLatents == c.excludeConceptLatents;
        }

        @Override
        public int hashCode() {
            return Objects.hash(head, images, draws, bootstrap, tolerance, excludeConceptLatents) * 31 + Arrays.hashCode(doses);
        }

        @Override
        public String toString() {
            return "ControlParams[head=" + head + ", images=" + images + ", draws=" + draws + ", doses=" + Arrays.toString(doses)
                    + ", bootstrap=" + bootstrap + ", tolerance=" + tolerance + ", excludeConceptLatents=" + excludeConceptLatents + "]";
        }
    }

    /** Cross-model comparison parameters: which tokens are matched and on how many shared images. */
    public record CompareParams(String tokens, int images, int maxTableMib) {
        public CompareParams {
            tokenKind(tokens);
            if (images < 1) {
                throw new IllegalArgumentException("field 'images' is " + images + "; expected a positive number");
            }
            if (maxTableMib < 1) {
                throw new IllegalArgumentException("field 'max_table_mib' is " + maxTableMib + "; expected a positive number of"
                        + " MiB (the co-moment table takes 8 x d_sae(a) x d_sae(b) bytes: 4,608 MiB for two 24,576-latent SAEs)");
            }
        }

        /** The largest co-moment table the comparison may allocate, in bytes. */
        public long maxTableBytes() {
            return (long) maxTableMib << 20;
        }

        /** The token kind. */
        public TokenKind kind() {
            return tokenKind(tokens);
        }
    }

    /** The {@code question} of a VLM control step on the toy world: the world's own generated questions of its families. */
    public static final String GENERATED_QUESTIONS = "generated";

    /**
     * VLM-protocol parameters: the held-out images asked about (on the toy world, the scenes per question family), draws of
     * each random control, bootstrap replicates, the frequency-matching tolerance in decades, the most tokens of an answer,
     * the question ({@value #GENERATED_QUESTIONS} on the toy world, whose questions come from its ground truth; on a
     * dataset the text asked about every image, whose expected answer is the image's class name) and the chat template
     * the prompts are rendered with ({@link saelab.lm.ChatTemplate}), the first held-out scene asked about (toy world;
     * a later range is a fresh sample for a confirmatory run; 0 on a dataset), the swap's dose of the added latent in
     * units of its maximum (1: the protocol's swap), the swap's dose grid ({@code []} for no dose-response;
     * {@link saelab.intervene.VlmDoseReport}), whether the random-latent controls leave out the answer classes'
     * concept latents ({@link saelab.intervene.ControlDrawConcepts#conceptLatents}), and the question families asked, each
     * run on its own (on the toy world {@code colour}, {@code shape} or {@code texture}, {@link VlmControlStep}; on a
     * dataset {@code class}).
     */
    public record VlmControlParams(int images, int draws, int bootstrap, double tolerance, int maxTokens, String question,
                                   String template, int firstImage, double swapDose, double[] doses, boolean excludeConceptLatents,
                                   List<String> families) {
        public VlmControlParams {
            new VlmControlSize(images, draws, bootstrap, tolerance, maxTokens); // the same checks
            if (question.isBlank()) {
                throw new IllegalArgumentException("field 'question' is empty; expected \"" + GENERATED_QUESTIONS + "\" (the toy world's"
                        + " questions) or the question asked about every image of a dataset");
            }
            saelab.lm.ChatTemplate.parse(template);
            if (firstImage < 0) {
                throw new IllegalArgumentException("field 'first_image' is " + firstImage + "; expected 0 or more");
            }
            if (!Double.isFinite(swapDose) || swapDose <= 0) {
                throw new IllegalArgumentException("field 'swap_dose' is " + swapDose + "; expected a positive number of the added latent's"
                        + " maxima (1 for the protocol's swap)");
            }
            doses = doses.clone();
            if (doses.length > 0) {
                DoseGrid.of(doses); // one sentence for a repeated or non-finite dose
            }
            if (families == null || families.isEmpty() || families.contains(null) || families.stream().distinct().count() != families.size()) {
                throw new IllegalArgumentException("field 'families' is " + families + "; expected one or more distinct question families");
            }
            families = List.copyOf(families);
        }

        /** The dose grid, or null when {@code doses} is empty. */
        public DoseGrid doseGrid() {
            return doses.length == 0 ? null : DoseGrid.of(doses);
        }

        @Override
        public double[] doses() {
            return doses.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof VlmControlParams v && images == v.images && draws == v.draws && bootstrap == v.bootstrap
                    && tolerance == v.tolerance && maxTokens == v.maxTokens && question.equals(v.question) && template.equals(v.template)
                    && firstImage == v.firstImage && swapDose == v.swapDose && Arrays.equals(doses, v.doses)
                    && excludeConceptLatents == v.excludeConceptLatents && families.equals(v.families);
        }

        @Override
        public int hashCode() {
            return Objects.hash(images, draws, bootstrap, tolerance, maxTokens, question, template, firstImage, swapDose, excludeConceptLatents,
                    families) * 31 + Arrays.hashCode(doses);
        }

        @Override
        public String toString() {
            return "VlmControlParams[images=" + images + ", draws=" + draws + ", bootstrap=" + bootstrap + ", tolerance=" + tolerance
                    + ", maxTokens=" + maxTokens + ", question=" + question + ", template=" + template + ", firstImage=" + firstImage
                    + ", swapDose=" + swapDose + ", doses=" + Arrays.toString(doses) + ", excludeConceptLatents=" + excludeConceptLatents
                    + ", families=" + families + "]";
        }

        /** The sizes. */
        public VlmControlSize size() {
            return new VlmControlSize(images, draws, bootstrap, tolerance, maxTokens);
        }

        /** The chat template. */
        public saelab.lm.ChatTemplate chatTemplate() {
            return saelab.lm.ChatTemplate.parse(template);
        }

        /** Whether the questions are the toy world's generated ones. */
        public boolean generated() {
            return question.strip().equals(GENERATED_QUESTIONS);
        }
    }

    /** The kinds {@link PlanRunner} can build (on which sources: {@link PlanSteps#blockers}). */
    public static final List<String> RUNNABLE = List.of("world", "backbone", "vlm", "capture", "truth", "sae", "eval", "analyze",
            "concepts", "heads", "control", "compare", "vlm-control");

    /** Every kind, by name. */
    public static final Map<String, StepKind> ALL = all();

    private PlanKinds() {}

    private static Map<String, StepKind> all() {
        String world = "source:toy-world";
        String dataset = "source:dataset";
        String model = "source:model";
        List<StepKind> k = List.of(
                new StepKind("world", List.of(Role.of("world", world)), null, "writes a toy world's images and labels"),
                new StepKind("backbone", List.of(Role.of("model", model), Role.of("world", world)), null,
                        "trains a toy backbone on the world, or copies a model folder"),
                new StepKind("vlm", List.of(Role.of("backbone", "step:backbone"), Role.of("world", world)), ToyVlmSpec.class,
                        "trains the toy VLM over a toy CLIP backbone"),
                new StepKind("capture", List.of(Role.of("dataset", "step:world", dataset), Role.of("model", "step:backbone", model)),
                        CaptureParams.class, "captures CLS and patch tokens at one block"),
                new StepKind("truth", List.of(Role.of("world", "step:world"), Role.of("backbone", "step:backbone"),
                        Role.of("capture", "step:capture")), null, "the toy world's ground truth on the capture's patch grid"),
                new StepKind("sae", List.of(Role.of("capture", "step:capture")), SaeParams.class, "trains an SAE on the capture"),
                new StepKind("eval", List.of(Role.of("sae", "step:sae"), Role.of("capture", "step:capture")), null,
                        "the SAE's metrics on its tokens"),
                new StepKind("analyze", List.of(Role.of("sae", "step:sae"), Role.of("capture", "step:capture")), AnalyzeParams.class,
                        "feature statistics and top examples"),
                new StepKind("concepts", List.of(Role.of("sae", "step:sae"), Role.of("capture", "step:capture"),
                        Role.of("truth", "step:truth", dataset)), ConceptParams.class, "latents matched to labelled concepts"),
                new StepKind("heads", List.of(Role.of("dataset", "step:world", dataset), Role.of("backbone", "step:backbone", model)),
                        HeadsParams.class, "trains task heads (segmentation, classification probe, zero-shot)"),
                new StepKind("control", List.of(Role.of("dataset", "step:world", dataset), Role.of("backbone", "step:backbone", model),
                        Role.of("sae", "step:sae"), Role.of("analysis", "step:analyze"), Role.of("concepts", "step:concepts"),
                        Role.of("heads", "step:heads")), ControlParams.class, "the control protocol of one head"),
                new StepKind("compare", List.of(Role.of("a", "step:sae"), Role.of("b", "step:sae"),
                        Role.of("dataset", "step:world", dataset)), CompareParams.class,
                        "latents of two models matched by their activations on the same images"),
                new StepKind("vlm-control", List.of(Role.of("dataset", "step:world", dataset), Role.of("vlm", "step:vlm", model),
                        Role.of("sae", "step:sae"), Role.of("analysis", "step:analyze"), Role.of("concepts", "step:concepts")),
                        VlmControlParams.class, "the VLM protocol: answers before and after SAE edits, against matched controls"));
        Map<String, StepKind> m = new LinkedHashMap<>();
        k.forEach(s -> m.put(s.name(), s));
        return java.util.Collections.unmodifiableMap(m);
    }

    private static TokenKind tokenKind(String tokens) {
        TokenKind k = TokenKind.parse(tokens, "field 'tokens'");
        if (k != TokenKind.PATCHES && k != TokenKind.CLS) {
            throw new IllegalArgumentException("field 'tokens' is '" + tokens + "'; expected patches or cls");
        }
        return k;
    }
}
