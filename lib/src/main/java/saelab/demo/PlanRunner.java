package saelab.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import saelab.io.Json;
import saelab.plan.Plan;
import saelab.plan.PlanStep;
import saelab.store.TokenKind;

/**
 * Runs a plan ({@link Plan}, read with {@link PlanKinds#ALL}): each step built by the demo's step classes
 * ({@link PlanSteps}) and run by a {@link StepRunner} in the work folder, so an unchanged step is skipped; a dataset or
 * model source a step reads directly first gets its source step ({@link SourceStep}, {@code source-<name>}, run once, listed
 * in the index like the others, and forced with {@code --force source-<name>}); then the
 * data manifests of the demo profile ({@link DemoManifests}, when a target is given) and {@code <work>/demo.json}
 * ({@link DemoPipeline#SUMMARY}, the same format, with the plan file recorded in {@code plan} and the plan's name as
 * {@code size}). {@code data-manifests/plans/demo.json} and {@code quick.json} are the demo's two sizes;
 * {@link #withModelFolders} runs a plan over model folders of one's own ({@code saelab demo --backbone}).
 */
public final class PlanRunner {

    /**
     * One run.
     *
     * @param work         the work folder
     * @param force        steps to rebuild (ids, id prefixes such as {@code capture}, or {@code all})
     * @param manifestsDir where to record data manifests, or null to record none
     * @param dataRoot     the data root (folder sources are relative to it; manifests' locations too); may be null
     * @param log          where step lines and progress go
     * @param jobs         the most steps that run at once ({@link StepScheduler}; 1: one after the other in plan order)
     */
    public record Options(Path work, Set<String> force, Path manifestsDir, Path dataRoot, PrintStream log, int jobs) {
        public Options {
            Objects.requireNonNull(work, "work");
            Objects.requireNonNull(log, "log");
            force = Set.copyOf(force);
            if (jobs < 1) {
                throw new IllegalArgumentException("--jobs is " + jobs + "; expected at least 1");
            }
        }

        /** One step at a time. */
        public Options(Path work, Set<String> force, Path manifestsDir, Path dataRoot, PrintStream log) {
            this(work, force, manifestsDir, dataRoot, log, 1);
        }
    }

    /**
     * The default number of steps run at once: two where the machine has at least two cores. Measured on this project's
     * 2-core machine from a fresh clone, the demo plan took 725 s one step at a time (145% CPU), 586 s with two jobs while
     * the toy trainings still took turns (163% CPU), and 456 s with the trainings side by side and one intra-op thread per
     * job (191% CPU): a step alone leaves part of the second core idle (Java-side loops, small tensors, file reads).
     */
    public static int defaultJobs() {
        return Runtime.getRuntime().availableProcessors() >= 2 ? 2 : 1;
    }

    private PlanRunner() {}

    /**
     * Runs (or brings up to date) every step of the plan.
     *
     * @throws IllegalArgumentException when a step is not runnable yet (naming it and why), or a {@code --force} entry
     *                                  names no step
     */
    public static DemoPipeline.Result run(Plan plan, Options o) throws IOException {
        Map<String, String> blocked = PlanSteps.blockers(plan);
        if (!blocked.isEmpty()) {
            Map.Entry<String, String> first = blocked.entrySet().iterator().next();
            throw new IllegalArgumentException("plan " + plan.file() + ": step " + first.getKey() + " is not runnable yet: "
                    + first.getValue() + " (" + blocked.size() + " of " + plan.steps().size() + " steps are not; saelab run "
                    + plan.name() + " --dry-run lists them all)");
        }
        checkForce(plan, o.force());
        for (PlanStep s : plan.steps()) { // before the work folder is made: a plan over datasets needs a data root
            for (saelab.plan.PlanSource src : PlanSteps.direct(plan, s)) {
                if (src instanceof saelab.plan.PlanSource.DatasetSource d) {
                    SourceStep.requireDataRoot(d, o.dataRoot(), plan.file().toString());
                }
            }
        }
        long t0 = System.nanoTime();
        PlanSteps builder = new PlanSteps(plan, o.dataRoot());
        try (StepRunner runner = new StepRunner(o.work(), o.force(), o.log())) {
            runner.expect(plan.steps().size() + PlanSteps.sourceStepNames(plan).size());
            Map<String, StepOutcome> done = StepScheduler.run(nodes(plan, builder), runner, o.jobs());
            List<StepOutcome> all = List.copyOf(done.values());
            List<Path> manifests = o.manifestsDir() == null || o.dataRoot() == null ? List.of() : manifests(plan, builder, done, o);
            double secs = (System.nanoTime() - t0) / 1e9;
            Path summary = runner.work().resolve(DemoPipeline.SUMMARY);
            Json.write(summary, DemoPipeline.summary(runner.work(), plan.name(), plan.file().toAbsolutePath().normalize(), all,
                    roles(plan), manifests, secs));
            DemoPipeline.Result r = new DemoPipeline.Result(runner.work(), List.copyOf(all), manifests, summary, secs);
            o.log().printf(Locale.ROOT, "plan %s: %d steps, %d built, %d skipped, %d forced, in %.1f s; outputs listed in %s%n",
                    plan.name(), all.size(), r.count(StepOutcome.Status.BUILT), r.count(StepOutcome.Status.SKIPPED),
                    r.count(StepOutcome.Status.FORCED), secs, summary);
            return r;
        }
    }

    /**
     * The plan as a step graph: each step after the source steps of the sources it reads directly ({@link SourceStep},
     * listed once, before the first step that reads them), and after every step its inputs name.
     */
    private static List<StepScheduler.Node> nodes(Plan plan, PlanSteps builder) {
        List<StepScheduler.Node> nodes = new ArrayList<>();
        Set<String> listed = new java.util.HashSet<>();
        for (PlanStep s : plan.steps()) {
            List<String> after = new ArrayList<>();
            for (saelab.plan.PlanSource src : PlanSteps.direct(plan, s)) {
                if (listed.add(src.name())) {
                    nodes.add(new StepScheduler.Node(src.name(), List.of(), done -> builder.sourceStep(src)));
                }
                after.add(src.name());
            }
            for (String ref : s.inputs().values()) {
                if (plan.isStep(ref) && !after.contains(ref)) {
                    after.add(ref);
                }
            }
            listed.add(s.id());
            nodes.add(new StepScheduler.Node(s.id(), after, done -> builder.step(s, done)));
        }
        return nodes;
    }

    /**
     * Every step's kind and inputs by role, as the plan gives them; a source step's kind is {@link StepRole#SOURCE} and its
     * one input, {@code source}, the plan source it brings in.
     */
    static Map<String, StepRole> roles(Plan plan) {
        Map<String, StepRole> roles = new LinkedHashMap<>();
        for (PlanStep s : plan.steps()) {
            for (saelab.plan.PlanSource src : PlanSteps.direct(plan, s)) {
                roles.putIfAbsent(SourceStep.name(src), new StepRole(StepRole.SOURCE, Map.of("source", src.name())));
            }
            roles.put(s.id(), new StepRole(s.kind(), s.inputs(), s.note()));
        }
        return roles;
    }

    /**
     * The plan without the steps the runner cannot build yet ({@link PlanSteps#blockers}) and every step that reads one of
     * them, directly or through others; one line per step left out goes to {@code log} (its id and why). What is left runs
     * as usual, so a run over real data makes progress while a kind of step is still missing.
     */
    public static Plan withoutBlocked(Plan plan, PrintStream log) {
        Map<String, String> blocked = PlanSteps.blockers(plan); // already holds the steps that read a blocked one
        List<PlanStep> kept = new ArrayList<>();
        for (PlanStep s : plan.steps()) {
            String why = blocked.get(s.id());
            if (why != null) {
                log.println("left out: " + s.id() + ": " + why);
            } else {
                kept.add(s);
            }
        }
        return blocked.isEmpty() ? plan : new Plan(plan.file(), plan.name(), plan.note(), plan.sources(), kept);
    }

    /**
     * The plan over model folders of one's own (what {@code saelab demo --backbone ID=DIR} runs): each named model source
     * becomes that folder (its backbone step copies it), the backbone steps of the other model sources and every step that
     * reads them are left out, and so are the steps the runner cannot build on the folders ({@link #withoutBlocked}: the
     * toy VLM, trained only over a toy CLIP), one line each to {@code log}.
     *
     * @throws IllegalArgumentException when an id names no model source of the plan
     */
    public static Plan withModelFolders(Plan plan, Map<String, Path> folders, PrintStream log) {
        Map<String, saelab.plan.PlanSource> sources = new LinkedHashMap<>(plan.sources());
        for (Map.Entry<String, Path> f : folders.entrySet()) {
            if (!(sources.get(f.getKey()) instanceof saelab.plan.PlanSource.ModelSource m)) {
                throw new IllegalArgumentException("--backbone " + f.getKey() + ": plan " + plan.name() + " has no model source '" + f.getKey()
                        + "'; its model sources are " + sources.values().stream().filter(x -> x instanceof saelab.plan.PlanSource.ModelSource)
                        .map(saelab.plan.PlanSource::name).toList());
            }
            sources.put(m.name(), new saelab.plan.PlanSource.ModelSource(m.name(), f.getValue().toAbsolutePath().normalize().toString(), null,
                    null, null, null, null, "given with --backbone"));
        }
        Set<String> dropped = new java.util.HashSet<>();
        List<PlanStep> kept = new ArrayList<>();
        for (PlanStep s : plan.steps()) {
            boolean other = s.kind().equals("backbone") && !folders.containsKey(s.input("model"));
            String reads = s.inputs().values().stream().filter(dropped::contains).findFirst().orElse(null);
            if (other || reads != null) {
                dropped.add(s.id());
                log.println("left out: " + s.id() + ": " + (other ? "its model source " + s.input("model") + " was not given with --backbone"
                        : "it reads " + reads + ", which is left out"));
            } else {
                kept.add(s);
            }
        }
        Map<String, saelab.plan.PlanSource> used = new LinkedHashMap<>();
        for (Map.Entry<String, saelab.plan.PlanSource> e : sources.entrySet()) {
            if (kept.stream().anyMatch(s -> s.inputs().containsValue(e.getKey()))) {
                used.put(e.getKey(), e.getValue());
            }
        }
        return withoutBlocked(new Plan(plan.file(), plan.name(), plan.note(), used, kept), log);
    }

    /** Refuses a {@code --force} entry that names no step of the plan. */
    static void checkForce(Plan plan, Set<String> force) {
        List<String> names = new ArrayList<>(PlanSteps.sourceStepNames(plan));
        names.addAll(plan.steps().stream().map(PlanStep::id).toList());
        for (String f : force) {
            if (!f.equals("all") && names.stream().noneMatch(n -> StepRunner.matches(Set.of(f), n))) {
                throw new IllegalArgumentException("--force " + f + ": no such step in plan " + plan.name() + "; the steps are "
                        + String.join(", ", names) + " (a prefix such as 'capture' or 'sae' names all of its kind; 'all' names"
                        + " every step)");
            }
        }
    }

    /**
     * The demo profile's manifests: the world the captures read, and per backbone step its model, its capture of that
     * world and the SAEs on the capture's patch and CLS tokens (a backbone without all four records nothing).
     */
    private static List<Path> manifests(Plan plan, PlanSteps builder, Map<String, StepOutcome> done, Options o) throws IOException {
        List<PlanStep> captures = plan.steps().stream().filter(s -> s.kind().equals("capture")).toList();
        if (captures.isEmpty()) {
            return List.of();
        }
        String world = captures.getFirst().input("dataset");
        if (!plan.isStep(world) || !plan.step(world).kind().equals("world")) {
            o.log().println("manifests: not recorded: the demo profile's manifests describe a toy-world run; the captures of plan "
                    + plan.name() + " read dataset sources, whose source steps hold their dataset manifests");
            return List.of();
        }
        List<DemoManifests.BackboneOutputs> outputs = new ArrayList<>();
        for (PlanStep b : plan.steps()) {
            if (!b.kind().equals("backbone")) {
                continue;
            }
            PlanStep capture = captures.stream().filter(c -> c.input("model").equals(b.id()) && c.input("dataset").equals(world))
                    .findFirst().orElse(null);
            if (capture == null) {
                continue;
            }
            StepOutcome patch = null;
            StepOutcome cls = null;
            for (PlanStep s : plan.readers("sae", "capture", capture.id())) {
                TokenKind k = builder.tokens(s);
                if (k == TokenKind.PATCHES && patch == null) {
                    patch = done.get(s.id());
                } else if (k == TokenKind.CLS && cls == null) {
                    cls = done.get(s.id());
                }
            }
            if (patch != null && cls != null) {
                outputs.add(new DemoManifests.BackboneOutputs(builder.providerOf(b).id(), done.get(b.id()), done.get(capture.id()),
                        patch, cls));
            }
        }
        return DemoManifests.record(new DemoManifests.Target(o.manifestsDir(), o.dataRoot()), done.get(world), outputs, o.log());
    }
}
