package saelab.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import saelab.heads.HeadKind;
import saelab.io.Json;
import saelab.store.TokenKind;

/**
 * The demo pipeline: the whole saelab flow on the embedded toy world, as content-addressed steps
 * ({@link StepRunner}) in a work folder:
 * <pre>
 * world                          the toy world's images, ADE20K layout (ToyWorldWriter)
 * backbone-ID                    a model folder from each BackboneProvider (toy backbones trained on the world)
 * vlm-ID                         the toy VLM over a toy CLIP-layout backbone, a LLaVA folder (VlmStep)
 * capture-ID                     CLS + patch tokens at the chosen block, with per-patch labels (CapturePipeline)
 * truth-ID                       the ground-truth concept labels on that backbone's patch grid (ToyGroundTruth)
 * sae-ID-patch,   sae-ID-cls     SAEs on patch and on CLS tokens (SaeTrainer)
 * eval-ID-patch,  eval-ID-cls    their metrics (what saelab eval writes)
 * analyze-ID-patch, -cls         feature analysis folders (what saelab analyze writes; show-latent reads them)
 * concepts-ID-patch, -cls        latents matched to the ground-truth concepts with baselines (FamilyMatching)
 * heads-ID                       task heads on the training world: a colour segmentation head (vision-only backbone) or a
 *                                largest-object-colour probe and zero-shot head (backbone with a text tower) (HeadStep)
 * control-ID-HEAD                the control protocol of each head on the held-out world, editing the patch SAE (ControlStep)
 * control-vlm-ID                 the VLM control protocol of the toy VLM on the held-out world's colour and shape questions,
 *                                editing the same patch SAE (VlmControlStep)
 * </pre>
 * The held-out world ({@code world-heldout}) is the same world config with the next seed; only the control steps read it.
 * Each step lives in {@code <work>/<step>/<key prefix>/} and is skipped when its output exists; changing a
 * parameter reruns that step and the steps after it. At the end the outputs are recorded as data manifests of the
 * {@code demo} profile ({@link DemoManifests}, when a target is given) and {@code <work>/demo.json} lists every
 * step's folder, key, status, time and summary numbers, for notebooks.
 */
public final class DemoPipeline {

    /** The summary file at the top of the work folder. */
    public static final String SUMMARY = "demo.json";
    /** Format of {@link #SUMMARY}. */
    public static final String FORMAT = "saelab-demo/1";

    /**
     * One run.
     *
     * @param work         the work folder
     * @param size         the sizes
     * @param backbones    the backbones (distinct ids)
     * @param force        steps to rebuild (names, name prefixes such as {@code capture}, or {@code all})
     * @param manifestsDir where to record data manifests ({@code data-manifests/}), or null to record none
     * @param dataRoot     the data root the manifests' locations are relative to (null: record none)
     * @param log          where step lines and progress go
     */
    public record Options(Path work, DemoSize size, List<BackboneProvider> backbones, Set<String> force, Path manifestsDir,
                          Path dataRoot, PrintStream log) {
        public Options {
            Objects.requireNonNull(work, "work");
            Objects.requireNonNull(size, "size");
            Objects.requireNonNull(log, "log");
            backbones = List.copyOf(backbones);
            force = Set.copyOf(force);
        }
    }

    /**
     * What a run did.
     *
     * @param work      the work folder
     * @param steps     every step's outcome, in run order
     * @param manifests the data manifest files recorded (empty when none)
     * @param summary   the {@code demo.json} file
     * @param seconds   wall time of the run
     */
    public record Result(Path work, List<StepOutcome> steps, List<Path> manifests, Path summary, double seconds) {

        /** The outcome of step {@code name}. */
        public StepOutcome step(String name) {
            return steps.stream().filter(s -> s.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no step " + name + " in this run"));
        }

        /** How many steps ended with {@code status}. */
        public long count(StepOutcome.Status status) {
            return steps.stream().filter(s -> s.status() == status).count();
        }
    }

    private static final List<TokenKind> KINDS = List.of(TokenKind.PATCHES, TokenKind.CLS);

    private DemoPipeline() {}

    /** The step names of a run with these backbones, in run order. */
    public static List<String> stepNames(List<BackboneProvider> backbones) {
        List<String> names = new ArrayList<>();
        names.add(WorldStep.NAME);
        names.add(WorldStep.HELD_OUT);
        for (BackboneProvider p : backbones) {
            names.add(BackboneStep.name(p));
            if (p.hostsToyVlm()) {
                names.add(VlmStep.name(p));
            }
            names.add(CaptureStep.name(p));
            names.add(TruthStep.name(p));
            for (TokenKind k : KINDS) {
                names.add(SaeStep.name(p, k));
                names.add(EvalStep.name(p, k));
                names.add(AnalyzeStep.name(p, k));
                names.add(ConceptStep.name(p, k));
            }
            names.add(HeadStep.name(p));
            for (HeadKind h : ControlStep.kinds(p)) {
                names.add(ControlStep.name(p, h));
            }
            if (p.hostsToyVlm()) {
                names.add(VlmControlStep.name(p));
            }
        }
        return names;
    }

    /**
     * Runs (or brings up to date) the pipeline.
     *
     * @throws IllegalArgumentException for duplicate backbone ids or a {@code --force} entry that names no step
     */
    public static Result run(Options o) throws IOException {
        Set<String> ids = new HashSet<>();
        for (BackboneProvider p : o.backbones()) {
            if (!ids.add(p.id())) {
                throw new IllegalArgumentException("two backbones have the id '" + p.id() + "'; ids must be distinct");
            }
        }
        List<String> names = stepNames(o.backbones());
        for (String f : o.force()) {
            if (!f.equals("all") && names.stream().noneMatch(n -> StepRunner.matches(Set.of(f), n))) {
                throw new IllegalArgumentException("--force " + f + ": no such step; the steps are " + String.join(", ", names)
                        + " (a prefix such as 'capture' or 'sae' names all of its kind; 'all' names every step)");
            }
        }
        long t0 = System.nanoTime();
        DemoSize size = o.size();
        List<StepOutcome> all = new ArrayList<>();
        Map<String, StepRole> roles = new LinkedHashMap<>();
        List<DemoManifests.BackboneOutputs> outputs = new ArrayList<>();
        try (StepRunner runner = new StepRunner(o.work(), o.force(), o.log())) {
            runner.expect(names.size());
            StepOutcome world = add(all, roles, "world", Map.of("world", "toy"), runner.run(WorldStep.of(size)));
            StepOutcome heldOut = add(all, roles, "world", Map.of("world", "toy-heldout"), runner.run(WorldStep.heldOut(size)));
            for (BackboneProvider p : o.backbones()) {
                StepOutcome backbone = add(all, roles, "backbone", in("model", p.id(), "world", "toy"), runner.run(BackboneStep.of(p, size)));
                StepOutcome vlm = p.hostsToyVlm() ? add(all, roles, "vlm", in("backbone", backbone.name(), "world", "toy"),
                        runner.run(VlmStep.of(p, size, backbone))) : null;
                StepOutcome capture = add(all, roles, "capture", in("dataset", world.name(), "model", backbone.name()),
                        runner.run(CaptureStep.of(p, size, world, backbone)));
                StepOutcome truth = add(all, roles, "truth", in("world", world.name(), "backbone", backbone.name(), "capture", capture.name()),
                        runner.run(TruthStep.of(p, world, backbone, capture)));
                Map<TokenKind, StepOutcome> saes = new LinkedHashMap<>();
                Map<TokenKind, StepOutcome> analyses = new LinkedHashMap<>();
                Map<TokenKind, StepOutcome> concepts = new LinkedHashMap<>();
                for (TokenKind k : KINDS) {
                    SaeRecipe recipe = k == TokenKind.CLS ? size.clsSae() : size.patchSae();
                    StepOutcome sae = add(all, roles, "sae", in("capture", capture.name()), runner.run(SaeStep.of(p, k, recipe, capture)));
                    saes.put(k, sae);
                    add(all, roles, "eval", in("sae", sae.name(), "capture", capture.name()), runner.run(EvalStep.of(p, k, sae, capture)));
                    analyses.put(k, add(all, roles, "analyze", in("sae", sae.name(), "capture", capture.name()),
                            runner.run(AnalyzeStep.of(p, k, size.topK(), sae, capture))));
                    concepts.put(k, add(all, roles, "concepts", in("sae", sae.name(), "capture", capture.name(), "truth", truth.name()),
                            runner.run(ConceptStep.of(p, k, size, sae, capture, truth))));
                }
                List<HeadKind> heads = ControlStep.kinds(p);
                StepOutcome headStep = add(all, roles, "heads", in("dataset", world.name(), "backbone", backbone.name()),
                        runner.run(HeadStep.of(p, size, heads, world, backbone)));
                for (HeadKind h : heads) {
                    add(all, roles, "control", in("dataset", heldOut.name(), "backbone", backbone.name(), "sae",
                            saes.get(TokenKind.PATCHES).name(), "analysis", analyses.get(TokenKind.PATCHES).name(), "concepts",
                            concepts.get(TokenKind.PATCHES).name(), "heads", headStep.name()),
                            runner.run(ControlStep.of(p, h, size, heldOut, backbone, saes.get(TokenKind.PATCHES),
                            analyses.get(TokenKind.PATCHES), concepts.get(TokenKind.PATCHES), headStep)));
                }
                if (vlm != null) {
                    add(all, roles, "vlm-control", in("dataset", heldOut.name(), "vlm", vlm.name(), "sae", saes.get(TokenKind.PATCHES).name(),
                            "analysis", analyses.get(TokenKind.PATCHES).name(), "concepts", concepts.get(TokenKind.PATCHES).name()),
                            runner.run(VlmControlStep.of(p, size, heldOut, vlm, saes.get(TokenKind.PATCHES), analyses.get(TokenKind.PATCHES),
                            concepts.get(TokenKind.PATCHES))));
                }
                outputs.add(new DemoManifests.BackboneOutputs(p.id(), backbone, capture, saes.get(TokenKind.PATCHES),
                        saes.get(TokenKind.CLS)));
            }
            List<Path> manifests = o.manifestsDir() == null || o.dataRoot() == null ? List.of()
                    : DemoManifests.record(new DemoManifests.Target(o.manifestsDir(), o.dataRoot()), world, outputs, o.log());
            double secs = (System.nanoTime() - t0) / 1e9;
            Path summary = runner.work().resolve(SUMMARY);
            Json.write(summary, summary(runner.work(), size.name(), null, all, roles, manifests, secs));
            Result r = new Result(runner.work(), List.copyOf(all), manifests, summary, secs);
            o.log().printf(Locale.ROOT, "demo (%s): %d steps, %d built, %d skipped, %d forced, in %.1f s; outputs listed in %s%n",
                    size.name(), all.size(), r.count(StepOutcome.Status.BUILT), r.count(StepOutcome.Status.SKIPPED),
                    r.count(StepOutcome.Status.FORCED), secs, summary);
            return r;
        }
    }

    /** Adds a finished step and records its kind and inputs for the index. */
    private static StepOutcome add(List<StepOutcome> all, Map<String, StepRole> roles, String kind, Map<String, String> inputs,
                                   StepOutcome s) {
        all.add(s);
        roles.put(s.name(), new StepRole(kind, inputs));
        return s;
    }

    /** Inputs by role from alternating role, reference pairs, in order. */
    private static Map<String, String> in(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    /**
     * The content of {@link #SUMMARY}; {@code plan} (the plan file a plan run read, else null) is recorded when given, and
     * each step's {@link StepRole} (kind and inputs by role) where {@code roles} has it.
     */
    static Map<String, Object> summary(Path work, String size, Path plan, List<StepOutcome> steps, Map<String, StepRole> roles,
                                       List<Path> manifests, double secs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("size", size);
        if (plan != null) {
            m.put("plan", plan.toString());
        }
        m.put("work", work.toString());
        m.put("finished", Instant.now().toString());
        m.put("seconds", Math.round(secs * 1000) / 1000.0);
        Map<String, Object> st = new LinkedHashMap<>();
        for (StepOutcome s : steps) {
            Map<String, Object> e = new LinkedHashMap<>();
            StepRole role = roles.get(s.name());
            if (role != null) {
                e.put("kind", role.kind());
                e.put("inputs", role.inputs());
                if (role.note() != null) {
                    e.put("note", role.note());
                }
            }
            e.put("key", s.key());
            e.put("dir", work.relativize(s.dir()).toString().replace('\\', '/'));
            e.put("status", s.status().name().toLowerCase(Locale.ROOT));
            e.put("seconds", Math.round(s.seconds() * 1000) / 1000.0);
            e.put("summary", s.summary());
            st.put(s.name(), e);
        }
        m.put("steps", st);
        m.put("manifests", manifests.stream().map(Path::toString).toList());
        return m;
    }
}
