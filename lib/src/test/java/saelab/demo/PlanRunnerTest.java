package saelab.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.config.Workspace;
import saelab.io.Json;
import saelab.plan.Plan;
import saelab.plan.PlanReader;

/**
 * The demo's plans ({@code data-manifests/plans/quick.json}, {@code demo.json}) hold the hard-wired demo of
 * {@link DemoPipeline} at {@link DemoSize#quick()} and {@link DemoSize#demo()}, followed by the section-4 steps the
 * hard-wired list never had (the toy CLIP whose captions leave the style out, and the cross-model comparisons): the
 * dry run's keys, written as finished step records into a work folder, make the hard-wired run skip every one of its
 * steps (same names, same order, same keys: the steps added later change no existing key), and the plan run skips them
 * all too and writes a {@code demo.json} that {@link DemoOutputs} reads, with the plan recorded. Nothing is trained: a
 * key that differed would make the hard-wired run build that step, and fail the test.
 */
class PlanRunnerTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);

    @Test
    void theQuickPlanIsTheHardWiredQuickDemo() throws Exception {
        sameSteps("quick", DemoSize.quick());
    }

    @Test
    void theDemoPlanIsTheHardWiredDemo() throws Exception {
        sameSteps("demo", DemoSize.demo());
    }

    /** The steps the plans add to the hard-wired ones, in run order. */
    private static final List<String> SECTION_4 = List.of("backbone-clip-concept", "capture-clip-concept", "truth-clip-concept",
            "sae-clip-concept-patch", "eval-clip-concept-patch", "analyze-clip-concept-patch", "concepts-clip-concept-patch",
            "sae-clip-concept-cls", "eval-clip-concept-cls", "analyze-clip-concept-cls", "concepts-clip-concept-cls",
            "compare-clip-concept-dinov2", "compare-clip-clip-concept");

    private void sameSteps(String name, DemoSize size) throws Exception {
        Path file = Workspace.locate().manifests().resolve("plans").resolve(name + ".json");
        Plan plan = PlanReader.read(file, PlanKinds.ALL);
        Path work = tmp.resolve(name);
        PlanDryRun.Report dry = PlanDryRun.of(plan, work, Set.of(), null, null);
        assertTrue(dry.ready(), dry.describe());
        Map<String, String> keys = new LinkedHashMap<>();
        for (PlanDryRun.StepReport s : dry.steps()) {
            keys.put(s.step().id(), s.key());
            Files.createDirectories(s.dir());
            Json.write(s.dir().resolve(StepRunner.STEP_FILE), Map.of("format", StepRunner.FORMAT, "key", s.key(), "summary", Map.of()));
        }

        DemoPipeline.Result wired = DemoPipeline.run(new DemoPipeline.Options(work, size, DemoBackbones.standard(size), Set.of(), null,
                null, log));
        List<String> hardWired = wired.steps().stream().map(StepOutcome::name).toList();
        // the plan lists section 4's backbone beside the other trainings (so a run with two jobs starts it early), the rest after
        List<String> planned4 = keys.keySet().stream().filter(SECTION_4::contains).toList();
        assertEquals(hardWired, keys.keySet().stream().filter(k -> !SECTION_4.contains(k)).toList(), "the plan holds the hard-wired steps");
        assertEquals(SECTION_4, planned4);
        assertEquals(hardWired.size(), wired.count(StepOutcome.Status.SKIPPED), logBytes.toString(StandardCharsets.UTF_8));
        for (StepOutcome s : wired.steps()) {
            assertEquals(keys.get(s.name()), s.key(), s.name());
        }

        DemoPipeline.Result planned = PlanRunner.run(plan, new PlanRunner.Options(work, Set.of(), null, null, log));
        assertEquals(keys.size(), planned.count(StepOutcome.Status.SKIPPED));
        DemoOutputs out = DemoOutputs.open(work);
        assertEquals(name, out.size());
        assertEquals(file.toAbsolutePath().normalize().toString(), out.summary().get("plan").asText());
        assertEquals(List.of("clip", "dinov2", "clip-concept"), out.backbones());
        assertEquals(List.of("control-clip-classify", "control-clip-zeroshot", "control-dinov2-segment"), out.ofKind("control"));

        // --force reaches the plan run's steps as it does the hard-wired run's
        PlanDryRun.Report forced = PlanDryRun.of(plan, work, Set.of("sae-clip-cls"), null, null);
        assertEquals(List.of("sae-clip-cls", "eval-clip-cls", "analyze-clip-cls", "concepts-clip-cls"), forced.steps().stream()
                .filter(s -> !s.cached()).map(s -> s.step().id()).toList());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PlanRunner.run(plan, new PlanRunner.Options(work, Set.of("nonsense"), null, null, log)));
        assertTrue(e.getMessage().contains("--force nonsense: no such step"), e.getMessage());
    }

    @Test
    void thePaperPlanIsBuildableAndWithoutADataRootStopsAtItsFirstDatasetInOneSentence() throws Exception {
        Plan plan = PlanReader.read(Workspace.locate().manifests().resolve("plans/paper.json"), PlanKinds.ALL);
        assertEquals(Map.of(), PlanSteps.blockers(plan), "every step of the paper plan can be built, the VLM protocol included");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PlanRunner.run(plan, new PlanRunner.Options(tmp.resolve("w"), Set.of(), null, null, log)));
        assertEquals("plan " + plan.file() + ": dataset source 'in1k-train' needs a data root holding imagenet-1k/ (--data-root, or"
                + " SAELAB_DATA)", e.getMessage());
        assertTrue(!Files.exists(tmp.resolve("w")), "nothing is started");
    }
}
