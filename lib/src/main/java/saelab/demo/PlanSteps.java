package saelab.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import saelab.io.ConfinedPaths;
import saelab.plan.Plan;
import saelab.plan.PlanSource;
import saelab.plan.PlanStep;
import saelab.store.TokenKind;

/**
 * Turns the steps of a plan into the demo's content-addressed steps ({@link Step}), through the step classes' own
 * factories, each renamed to its plan id. Steps on the toy world read world and backbone steps; steps on
 * a dataset source (capture, concepts, heads, control, compare) read the source's step ({@link SourceStep}: the dataset's
 * manifest, the model folder or hub snapshot) and the library code of the matching commands ({@link DatasetCaptureStep},
 * {@link LabelConceptStep}, {@link DatasetHeadStep}, {@link DatasetControlStep}, {@link CompareStep}). Also says, without
 * touching a file, which steps the runner cannot build and why ({@link #blockers}).
 */
final class PlanSteps {

    private final Plan plan;
    private final Path dataRoot;
    private final Map<String, BackboneProvider> providers = new HashMap<>();
    private final Map<String, SourceStep.SourceModel> sourceModels = new HashMap<>();
    private final Map<String, saelab.data.DatasetManifest> manifests = new HashMap<>();

    /**
     * @param dataRoot the data root a folder source is relative to (null: a folder source cannot be resolved)
     */
    PlanSteps(Plan plan, Path dataRoot) {
        this.plan = plan;
        this.dataRoot = dataRoot;
    }

    /** Why each step that cannot be built yet cannot (step id → one clause), in run order; empty when all can. */
    static Map<String, String> blockers(Plan plan) {
        Map<String, String> out = new LinkedHashMap<>();
        for (PlanStep s : plan.steps()) {
            String why = PlanKinds.RUNNABLE.contains(s.kind()) ? own(plan, s)
                    : "the runner has no " + s.kind() + " step yet (" + PlanKinds.ALL.get(s.kind()).summary() + ")";
            if (why == null) {
                for (String ref : s.inputs().values()) {
                    if (out.containsKey(ref)) {
                        why = "it reads step " + ref + ", which is not runnable yet";
                        break;
                    }
                }
            }
            if (why != null) {
                out.put(s.id(), why);
            }
        }
        return out;
    }

    /** The kinds that may read a dataset source (by role) and a folder or hub model source directly. */
    private static final Map<String, String> DATASET_ROLE = Map.of("capture", "dataset", "concepts", "truth", "heads", "dataset",
            "control", "dataset", "compare", "dataset", "vlm-control", "dataset");
    private static final Map<String, String> MODEL_ROLE = Map.of("capture", "model", "heads", "backbone", "control", "backbone",
            "vlm-control", "vlm");

    private static String own(Plan plan, PlanStep s) {
        for (String role : s.inputs().keySet()) {
            PlanSource src = plan.sourceOf(s, role);
            if (src instanceof PlanSource.DatasetSource d && !role.equals(DATASET_ROLE.get(s.kind()))) {
                return "its " + s.kind() + " step reads only the toy world, not the dataset source '" + d.name() + "'";
            }
            if (src instanceof PlanSource.ModelSource m && !s.kind().equals("backbone")) {
                if (!role.equals(MODEL_ROLE.get(s.kind()))) {
                    return "it takes the model source '" + m.name() + "' directly, which a " + s.kind() + " step cannot";
                }
                if (m.toy() != null) {
                    return "the toy model source '" + m.name() + "' is trained by a backbone step; read that step instead";
                }
            }
        }
        String mixed = mixedSources(plan, s);
        if (mixed != null) {
            return mixed;
        }
        if (s.kind().equals("backbone")) {
            PlanSource.ModelSource m = (PlanSource.ModelSource) plan.sourceOf(s, "model");
            if (m.hub() != null) {
                return "the runner does not fetch hub models yet: download " + m.hub() + " (saelab hub download) and declare it"
                        + " as a folder source";
            }
        }
        if (s.kind().equals("compare") && !onDataset(plan, s)) {
            return compareProblem(plan, s);
        }
        if (s.kind().equals("vlm")) {
            PlanSource.ModelSource m = (PlanSource.ModelSource) plan.sourceOf(plan.stepOf(s, "backbone"), "model");
            if (m == null || m.toy() == null || m.toy().kind() != saelab.toy.ToyBackboneKind.CLIP) {
                return "the toy VLM is trained only over a toy CLIP backbone";
            }
        }
        return null;
    }

    /**
     * Why the runner cannot build a compare step on the toy world, or null: it matches patch SAEs on patch units, and
     * both SAEs' captures must read the step's world (so the two codes cover the same images in the same order).
     */
    private static String compareProblem(Plan plan, PlanStep s) {
        if (s.params(PlanKinds.CompareParams.class).kind() != TokenKind.PATCHES) {
            return "the runner compares patch SAEs on patch units only; set params.tokens to patches";
        }
        for (String role : java.util.List.of("a", "b")) {
            PlanStep sae = plan.stepOf(s, role);
            if (sae.params(PlanKinds.SaeParams.class).kind() != TokenKind.PATCHES) {
                return "its input " + role + " (" + sae.id() + ") is an SAE on CLS tokens; expected an SAE on patch tokens";
            }
            PlanStep capture = plan.stepOf(sae, "capture");
            if (!s.input("dataset").equals(capture.input("dataset"))) {
                return "its input " + role + " (" + sae.id() + ") was trained on a capture of " + capture.input("dataset")
                        + ", not of the step's dataset " + s.input("dataset") + "; expected both SAEs' captures to read it";
            }
        }
        return null;
    }

    /** Whether {@code s} reads a dataset source (rather than a world step) through its dataset or truth role. */
    static boolean onDataset(Plan plan, PlanStep s) {
        String role = DATASET_ROLE.get(s.kind());
        return role != null && plan.sourceOf(s, role) instanceof PlanSource.DatasetSource;
    }

    /** Why a step on a dataset source cannot be built from the steps it reads, or null. */
    private static String mixedSources(Plan plan, PlanStep s) {
        boolean data = onDataset(plan, s);
        switch (s.kind()) {
            case "capture" -> {
                if (!data && plan.sourceOf(s, "model") instanceof PlanSource.ModelSource m) {
                    return "a capture of the toy world reads its model through a backbone step, not the model source '" + m.name() + "'";
                }
            }
            case "concepts" -> {
                PlanStep capture = plan.stepOf(s, "capture");
                if (data && capture != null && !s.input("truth").equals(capture.input("dataset"))) {
                    return "its truth '" + s.input("truth") + "' is not the dataset its capture " + capture.id() + " read ('"
                            + capture.input("dataset") + "'); the labels come from that capture";
                }
                if (!data && capture != null && onDataset(plan, capture)) {
                    return "its capture " + capture.id() + " read a dataset source; give that source as its truth";
                }
            }
            case "heads" -> {
                PlanKinds.HeadsParams p = s.params(PlanKinds.HeadsParams.class);
                if (p.kinds().contains(saelab.heads.HeadKind.SEGMENT) && p.kinds().size() > 1) {
                    return "a heads step trains either a segmentation head or a classification probe (and its zero-shot head),"
                            + " not both; split it into two steps";
                }
                if (!data && plan.sourceOf(s, "backbone") instanceof PlanSource.ModelSource m) {
                    return "heads on the toy world read their model through a backbone step, not the model source '" + m.name() + "'";
                }
                boolean zeroShot = p.kinds().contains(saelab.heads.HeadKind.ZEROSHOT);
                if (zeroShot && !data && !p.templates().equals(PlanKinds.TOY_TEMPLATES)) {
                    return "a zero-shot head on the toy world averages the world's caption templates; set params.templates to "
                            + PlanKinds.TOY_TEMPLATES;
                }
                if (zeroShot && data && p.templates().equals(PlanKinds.TOY_TEMPLATES)) {
                    return "the toy templates are the toy world's captions; a zero-shot head on a dataset takes one of "
                            + saelab.text.PromptTemplates.NAMES;
                }
            }
            case "control" -> {
                PlanStep heads = plan.stepOf(s, "heads");
                if (heads != null && data != onDataset(plan, heads)) {
                    return "it and its heads step " + heads.id() + " must both read dataset sources or both the toy world";
                }
                if (!data && plan.sourceOf(s, "backbone") instanceof PlanSource.ModelSource m) {
                    return "a control step on the toy world reads its model through a backbone step, not the model source '"
                            + m.name() + "'";
                }
            }
            case "vlm-control" -> {
                return vlmControlProblem(plan, s, data);
            }
            case "compare" -> {
                if (!data) {
                    return null; // a comparison on the toy world: compareProblem
                }
                for (String side : List.of("a", "b")) {
                    PlanStep sae = plan.stepOf(s, side);
                    if (sae != null && plan.stepOf(sae, "capture") == null) {
                        return "its SAE " + sae.id() + " has no capture step";
                    }
                }
            }
            default -> { }
        }
        return null;
    }

    /**
     * Why a VLM control step cannot be built, or null: on the toy world it asks the world's generated questions of the toy VLM
     * (a vlm step), whose prompts are llava-1.5's; on a dataset it asks its question of a LLaVA model source about images
     * with class labels (not the ADE20K layout's label maps).
     */
    private static String vlmControlProblem(Plan plan, PlanStep s, boolean data) {
        PlanKinds.VlmControlParams p = s.params(PlanKinds.VlmControlParams.class);
        boolean modelSource = plan.sourceOf(s, "vlm") instanceof PlanSource.ModelSource;
        if (!data) {
            if (modelSource) {
                return "on the toy world the VLM protocol asks the toy VLM of a vlm step; give a dataset source as its dataset to ask"
                        + " the model source '" + s.input("vlm") + "'";
            }
            if (!p.generated()) {
                return "on the toy world the questions are the world's own; set params.question to \"" + PlanKinds.GENERATED_QUESTIONS
                        + "\"";
            }
            if (p.chatTemplate() != saelab.lm.ChatTemplate.LLAVA_1_5) {
                return "the toy VLM is trained on llava-1.5 prompts; set params.template to llava-1.5";
            }
            for (String f : p.families()) {
                if (!VlmControlStep.FAMILIES.containsKey(f)) {
                    return "params.families names '" + f + "'; on the toy world the families are " + String.join(", ",
                            VlmControlStep.FAMILIES.keySet());
                }
            }
            return null;
        }
        if (!modelSource) {
            return "on a dataset the VLM protocol asks a LLaVA model source, not the toy VLM of step " + s.input("vlm");
        }
        if (p.firstImage() != 0) {
            return "params.first_image picks a range of the toy world's held-out scenes; a dataset's images are drawn across its classes,"
                    + " so set it to 0";
        }
        if (!p.families().equals(List.of(DatasetVlmControlStep.FAMILY))) {
            return "params.families is " + p.families() + "; on a dataset the one family is the image's class, so set it to [\""
                    + DatasetVlmControlStep.FAMILY + "\"]";
        }
        if (p.generated()) {
            return "a dataset has no generated questions; set params.question to the question asked about every image (its expected"
                    + " answer is the image's class name)";
        }
        if (((PlanSource.DatasetSource) plan.sourceOf(s, "dataset")).layout().equals("ade20k")) {
            return "the VLM protocol asks about an image's class, and the ade20k layout labels pixels, not images; use a dataset with"
                    + " image labels (imagenet, inat2021, cub200, folder)";
        }
        PlanStep concepts = plan.stepOf(s, "concepts");
        if (concepts != null && !onDataset(plan, concepts)) {
            return "its concepts step " + concepts.id() + " matched the toy world's labels; on a dataset the latents must be matched to"
                    + " the dataset's image labels (a concepts step whose truth is the dataset's training split)";
        }
        return null;
    }

    /** The names of the source steps of a plan ({@link SourceStep}): the sources some step reads directly, in run order. */
    static List<String> sourceStepNames(Plan plan) {
        List<String> out = new java.util.ArrayList<>();
        for (PlanStep s : plan.steps()) {
            for (PlanSource src : direct(plan, s)) {
                String n = SourceStep.name(src);
                if (!out.contains(n)) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    /** The sources {@code s} reads directly through a source step: dataset sources, and folder or hub models outside backbone steps. */
    static List<PlanSource> direct(Plan plan, PlanStep s) {
        List<PlanSource> out = new java.util.ArrayList<>();
        for (String role : s.inputs().keySet()) {
            PlanSource src = plan.sourceOf(s, role);
            if (src instanceof PlanSource.DatasetSource
                    || (src instanceof PlanSource.ModelSource m && m.toy() == null && !s.kind().equals("backbone"))) {
                out.add(src);
            }
        }
        return out;
    }

    /** The source step of {@code src} (reads the dataset's listing, or hashes the model folder or finds the hub snapshot). */
    Step sourceStep(PlanSource src) throws IOException {
        return switch (src) {
            case PlanSource.DatasetSource d -> SourceStep.of(d, manifest(d));
            case PlanSource.ModelSource m -> SourceStep.of(sourceModel(m));
            case PlanSource.ToyWorldSource t -> throw new IllegalStateException("the toy world " + t.name() + " has no source step");
        };
    }

    private saelab.data.DatasetManifest manifest(PlanSource.DatasetSource d) throws IOException {
        saelab.data.DatasetManifest m = manifests.get(d.name());
        if (m == null) {
            m = SourceStep.manifest(d, dataRoot, plan.file().toString());
            manifests.put(d.name(), m);
        }
        return m;
    }

    private SourceStep.SourceModel sourceModel(PlanSource.ModelSource m) throws IOException {
        SourceStep.SourceModel sm = sourceModels.get(m.name());
        if (sm == null) {
            sm = SourceStep.model(m, dataRoot, plan.file().toString());
            sourceModels.put(m.name(), sm);
        }
        return sm;
    }

    /** The model that role {@code role} of {@code s} names: a model source (its source step) or a backbone step. */
    private SourceInputs.Model model(PlanStep s, String role, Map<String, StepOutcome> done) throws IOException {
        StepOutcome o = in(s, role, done);
        if (plan.sourceOf(s, role) instanceof PlanSource.ModelSource m) {
            SourceStep.SourceModel sm = sourceModel(m);
            return new SourceInputs.Model(sm, sm.folder(), sm.modelName(), m.revision(), o);
        }
        BackboneProvider p = providerOf(plan.stepOf(s, role));
        return new SourceInputs.Model(p, BackboneStep.modelDir(o), p.id(), null, o);
    }

    /** The dataset source that role {@code role} of {@code s} names, through its source step's manifest. */
    private SourceInputs.Dataset dataset(PlanStep s, String role, Map<String, StepOutcome> done) {
        PlanSource.DatasetSource d = (PlanSource.DatasetSource) plan.sourceOf(s, role);
        StepOutcome o = in(s, role, done);
        return new SourceInputs.Dataset(SourceStep.spec(o), manifests.containsKey(d.name()) ? manifests.get(d.name()).split() : d.split(), o);
    }

    /** The model a capture step reads, as the model's source or its backbone step names it. */
    private SourceInputs.Model captureModel(PlanStep capture, Map<String, StepOutcome> done) throws IOException {
        return model(capture, "model", done);
    }

    /** The backbone of a model source (a toy backbone, or a folder under the data root). */
    BackboneProvider provider(PlanSource.ModelSource m) throws IOException {
        BackboneProvider p = providers.get(m.name());
        if (p == null) {
            if (m.toy() != null) {
                p = new ToyBackbone(m.name(), m.toy());
            } else if (m.folder() != null && Path.of(m.folder()).isAbsolute()) { // given on the command line (--backbone)
                p = new ModelFolderBackbone(m.name(), Path.of(m.folder()));
            } else if (m.folder() != null) {
                if (dataRoot == null) {
                    throw new IllegalArgumentException("plan " + plan.file() + ": $.sources." + m.name() + ".folder is relative to"
                            + " the data root, and none is set (SAELAB_DATA, or data_root in ~/.config/saelab/config.json)");
                }
                p = new ModelFolderBackbone(m.name(), ConfinedPaths.resolveLexically(dataRoot, m.folder(), "plan " + plan.file(),
                        "sources." + m.name() + ".folder"));
            } else {
                throw new IllegalArgumentException("plan " + plan.file() + ": $.sources." + m.name() + " is a hub model, which the"
                        + " runner does not fetch yet");
            }
            providers.put(m.name(), p);
        }
        return p;
    }

    /** The backbone a step's work is about: its backbone step's model, followed through capture and SAE inputs. */
    BackboneProvider providerOf(PlanStep s) throws IOException {
        return switch (s.kind()) {
            case "backbone" -> provider((PlanSource.ModelSource) plan.sourceOf(s, "model"));
            case "capture" -> plan.sourceOf(s, "model") instanceof PlanSource.ModelSource m ? sourceModel(m)
                    : providerOf(plan.stepOf(s, "model"));
            case "sae" -> providerOf(plan.stepOf(s, "capture"));
            case "eval", "analyze", "concepts" -> providerOf(plan.stepOf(s, "sae"));
            case "vlm-control" -> plan.sourceOf(s, "vlm") instanceof PlanSource.ModelSource m ? sourceModel(m)
                    : providerOf(plan.stepOf(s, "vlm"));
            default -> plan.sourceOf(s, "backbone") instanceof PlanSource.ModelSource m && m.toy() == null ? sourceModel(m)
                    : providerOf(plan.stepOf(s, "backbone"));
        };
    }

    /** The token kind of an SAE step, or of the SAE step a step reads. */
    TokenKind tokens(PlanStep s) {
        PlanStep sae = s.kind().equals("sae") ? s : plan.stepOf(s, "sae");
        return sae.params(PlanKinds.SaeParams.class).kind();
    }

    /**
     * The step of {@code s}, named by its plan id.
     *
     * @param done the outcomes (real, or planned by a dry run) of the steps it reads, by id
     */
    Step step(PlanStep s, Map<String, StepOutcome> done) throws IOException {
        Step built = switch (s.kind()) {
            case "world" -> {
                PlanSource.ToyWorldSource w = (PlanSource.ToyWorldSource) plan.sourceOf(s, "world");
                yield WorldStep.of(s.id(), w.world(), w.images());
            }
            case "backbone" -> BackboneStep.of(providerOf(s), toyWorld(s));
            case "vlm" -> VlmStep.of(providerOf(s), s.params(saelab.toy.ToyVlmSpec.class), toyWorld(s), in(s, "backbone", done));
            case "capture" -> {
                PlanKinds.CaptureParams p = s.params(PlanKinds.CaptureParams.class);
                yield onDataset(plan, s) ? DatasetCaptureStep.of(s.id(), model(s, "model", done), p.block(), p.batch(), dataset(s, "dataset", done))
                        : CaptureStep.of(providerOf(s), p.block(), p.batch(), in(s, "dataset", done), in(s, "model", done));
            }
            case "truth" -> TruthStep.of(providerOf(s), in(s, "world", done), in(s, "backbone", done), in(s, "capture", done));
            case "sae" -> SaeStep.of(providerOf(s), tokens(s), s.params(PlanKinds.SaeParams.class).recipe(), in(s, "capture", done));
            case "eval" -> EvalStep.of(providerOf(s), tokens(s), in(s, "sae", done), in(s, "capture", done));
            case "analyze" -> AnalyzeStep.of(providerOf(s), tokens(s), s.params(PlanKinds.AnalyzeParams.class).topK(),
                    in(s, "sae", done), in(s, "capture", done));
            case "concepts" -> {
                PlanKinds.ConceptParams p = s.params(PlanKinds.ConceptParams.class);
                if (onDataset(plan, s)) {
                    yield LabelConceptStep.of(s.id(), tokens(s), p.maxUnits(), p.draws(), in(s, "sae", done), in(s, "capture", done));
                }
                yield ConceptStep.of(providerOf(s), tokens(s), p.maxUnits(), p.draws(), in(s, "sae", done), in(s, "capture", done),
                        in(s, "truth", done));
            }
            case "heads" -> {
                PlanKinds.HeadsParams p = s.params(PlanKinds.HeadsParams.class);
                if (onDataset(plan, s)) {
                    yield DatasetHeadStep.of(s.id(), model(s, "backbone", done), p.training(), p.block(), p.batch(), p.kinds(),
                            p.templates(), dataset(s, "dataset", done));
                }
                yield HeadStep.of(providerOf(s), p.training(), p.block(), p.batch(), p.kinds(), in(s, "dataset", done),
                        in(s, "backbone", done));
            }
            case "control" -> {
                PlanKinds.ControlParams p = s.params(PlanKinds.ControlParams.class);
                int epochs = plan.stepOf(s, "heads").params(PlanKinds.HeadsParams.class).epochs();
                if (onDataset(plan, s)) {
                    yield DatasetControlStep.of(s.id(), model(s, "backbone", done), p.kind(), p.size(epochs), p.excludeConceptLatents(),
                            dataset(s, "dataset", done), in(s, "sae", done), in(s, "analysis", done), in(s, "concepts", done), in(s, "heads", done));
                }
                yield ControlStep.of(providerOf(s), p.kind(), p.size(epochs), p.excludeConceptLatents(), in(s, "dataset", done),
                        in(s, "backbone", done), in(s, "sae", done), in(s, "analysis", done), in(s, "concepts", done), in(s, "heads", done));
            }
            case "compare" -> {
                PlanKinds.CompareParams p = s.params(PlanKinds.CompareParams.class);
                if (onDataset(plan, s)) {
                    yield DatasetCompareStep.of(s.id(), p.tokens(), p.images(), p.maxTableBytes(), dataset(s, "dataset", done),
                            side(s, "a", done), side(s, "b", done));
                }
                PlanStep a = plan.stepOf(s, "a");
                PlanStep b = plan.stepOf(s, "b");
                yield CompareStep.of(s.id(), new String[] {a.id(), b.id()}, p.images(), p.maxTableBytes(), in(s, "dataset", done),
                        in(s, "a", done), done.get(a.input("capture")), in(s, "b", done), done.get(b.input("capture")));
            }
            case "vlm-control" -> {
                PlanKinds.VlmControlParams p = s.params(PlanKinds.VlmControlParams.class);
                if (onDataset(plan, s)) {
                    yield DatasetVlmControlStep.of(s.id(), model(s, "vlm", done), p, dataset(s, "dataset", done), in(s, "sae", done),
                            in(s, "analysis", done), in(s, "concepts", done));
                }
                yield VlmControlStep.of(s.id(), providerOf(s), p, in(s, "dataset", done), in(s, "vlm", done), in(s, "sae", done),
                        in(s, "analysis", done), in(s, "concepts", done));
            }
            default -> throw new IllegalArgumentException("plan " + plan.file() + ": " + s.path() + ".kind " + s.kind()
                    + ": the runner has no such step yet");
        };
        return new Step(s.id(), built.version(), built.params(), built.inputs(), built.body());
    }

    /** One side of a comparison: the SAE step of role {@code role}, its capture's model and block. */
    private DatasetCompareStep.Side side(PlanStep s, String role, Map<String, StepOutcome> done) throws IOException {
        PlanStep sae = plan.stepOf(s, role);
        PlanStep capture = plan.stepOf(sae, "capture");
        return new DatasetCompareStep.Side(sae.id(), captureModel(capture, done), capture.params(PlanKinds.CaptureParams.class).block(),
                in(s, role, done));
    }

    private saelab.data.ToyWorld toyWorld(PlanStep s) {
        return ((PlanSource.ToyWorldSource) plan.sourceOf(s, "world")).world();
    }

    private static StepOutcome in(PlanStep s, String role, Map<String, StepOutcome> done) {
        StepOutcome o = done.get(s.input(role));
        if (o == null) {
            throw new IllegalStateException("step " + s.id() + " reads " + s.input(role) + ", which has not run before it");
        }
        return o;
    }
}
