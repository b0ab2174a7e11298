package saelab.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import saelab.io.ConfinedPaths;
import saelab.plan.Plan;
import saelab.plan.PlanSource;
import saelab.plan.PlanStep;
import saelab.store.TokenKind;

/**
 * Turns the steps of a plan into the demo's content-addressed steps ({@link Step}), through the step classes' own
 * factories, each renamed to its plan id: a plan whose ids, sources and parameters are those of {@link DemoPipeline}'s
 * hard-wired list gives steps with the same names and keys. Also says, without touching a file, which steps the
 * runner cannot build yet and why ({@link #blockers}).
 */
final class PlanSteps {

    private final Plan plan;
    private final Path dataRoot;
    private final Map<String, BackboneProvider> providers = new HashMap<>();

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

    private static String own(Plan plan, PlanStep s) {
        for (String role : s.inputs().keySet()) {
            PlanSource src = plan.sourceOf(s, role);
            if (src instanceof PlanSource.DatasetSource d) {
                return "it reads the dataset source '" + d.name() + "' (" + d.layout() + "); the runner's " + s.kind()
                        + " step reads only the toy world (a world step) today";
            }
            if (src instanceof PlanSource.ModelSource m && !s.kind().equals("backbone")) {
                return "it takes the model source '" + m.name() + "' directly; the runner builds models only through a backbone"
                        + " step today";
            }
        }
        if (s.kind().equals("backbone")) {
            PlanSource.ModelSource m = (PlanSource.ModelSource) plan.sourceOf(s, "model");
            if (m.hub() != null) {
                return "the runner does not fetch hub models yet: download " + m.hub() + " (saelab hub download) and declare it"
                        + " as a folder source";
            }
        }
        if (s.kind().equals("compare")) {
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
     * Why the runner cannot build a compare step, or null: it matches patch SAEs on patch units, both SAEs' captures
     * must read the step's dataset (so the two codes cover the same images in the same order), and the dataset must be
     * the toy world the runner captures.
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

    /** The backbone of a model source (a toy backbone, or a folder under the data root). */
    BackboneProvider provider(PlanSource.ModelSource m) throws IOException {
        BackboneProvider p = providers.get(m.name());
        if (p == null) {
            if (m.toy() != null) {
                p = new ToyBackbone(m.name(), m.toy());
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
            case "capture" -> providerOf(plan.stepOf(s, "model"));
            case "sae" -> providerOf(plan.stepOf(s, "capture"));
            case "eval", "analyze", "concepts" -> providerOf(plan.stepOf(s, "sae"));
            case "vlm-control" -> providerOf(plan.stepOf(s, "vlm"));
            default -> providerOf(plan.stepOf(s, "backbone"));
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
                yield CaptureStep.of(providerOf(s), p.block(), p.batch(), in(s, "dataset", done), in(s, "model", done));
            }
            case "truth" -> TruthStep.of(providerOf(s), in(s, "world", done), in(s, "backbone", done), in(s, "capture", done));
            case "sae" -> SaeStep.of(providerOf(s), tokens(s), s.params(PlanKinds.SaeParams.class).recipe(), in(s, "capture", done));
            case "eval" -> EvalStep.of(providerOf(s), tokens(s), in(s, "sae", done), in(s, "capture", done));
            case "analyze" -> AnalyzeStep.of(providerOf(s), tokens(s), s.params(PlanKinds.AnalyzeParams.class).topK(),
                    in(s, "sae", done), in(s, "capture", done));
            case "concepts" -> {
                PlanKinds.ConceptParams p = s.params(PlanKinds.ConceptParams.class);
                yield ConceptStep.of(providerOf(s), tokens(s), p.maxUnits(), p.draws(), in(s, "sae", done), in(s, "capture", done),
                        in(s, "truth", done));
            }
            case "heads" -> {
                PlanKinds.HeadsParams p = s.params(PlanKinds.HeadsParams.class);
                yield HeadStep.of(providerOf(s), p.training(), p.block(), p.batch(), p.kinds(), in(s, "dataset", done),
                        in(s, "backbone", done));
            }
            case "control" -> {
                PlanKinds.ControlParams p = s.params(PlanKinds.ControlParams.class);
                int epochs = plan.stepOf(s, "heads").params(PlanKinds.HeadsParams.class).epochs();
                yield ControlStep.of(providerOf(s), p.kind(), p.size(epochs), in(s, "dataset", done), in(s, "backbone", done),
                        in(s, "sae", done), in(s, "analysis", done), in(s, "concepts", done), in(s, "heads", done));
            }
            case "compare" -> {
                PlanStep a = plan.stepOf(s, "a");
                PlanStep b = plan.stepOf(s, "b");
                yield CompareStep.of(s.id(), new String[] {a.id(), b.id()}, s.params(PlanKinds.CompareParams.class).images(),
                        in(s, "dataset", done), in(s, "a", done), done.get(a.input("capture")), in(s, "b", done),
                        done.get(b.input("capture")));
            }
            case "vlm-control" -> VlmControlStep.of(providerOf(s), s.params(VlmControlSize.class), in(s, "dataset", done),
                    in(s, "vlm", done), in(s, "sae", done), in(s, "analysis", done), in(s, "concepts", done));
            default -> throw new IllegalArgumentException("plan " + plan.file() + ": " + s.path() + ".kind " + s.kind()
                    + ": the runner has no such step yet");
        };
        return new Step(s.id(), built.version(), built.params(), built.inputs(), built.body());
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
