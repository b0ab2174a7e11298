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
 * The demo's plans ({@code data-manifests/plans/quick.json}, {@code demo.json}) hold the same steps in the same order
 * (sizes differ, structure not); the dry run's keys, written as finished step records into a work folder, make the plan
 * run skip every step and write a {@code demo.json} that {@link DemoOutputs} reads, with the plan recorded; {@code --force}
 * reaches a step and the steps after it. Nothing is trained. The paper plan is buildable and refuses to start without data.
 */
class PlanRunnerTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);

    @Test
    void theQuickAndDemoPlansHoldTheSameStepsAndARunOfTheirKeysSkipsEveryOne() throws Exception {
        List<String> quick = skipsEveryStep("quick");
        assertEquals(quick, skipsEveryStep("demo"), "the two sizes of the demo have one structure");
        assertEquals(47, quick.size());
    }

    private List<String> skipsEveryStep(String name) throws Exception {
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

        DemoPipeline.Result planned = PlanRunner.run(plan, new PlanRunner.Options(work, Set.of(), null, null, log));
        assertEquals(keys.size(), planned.count(StepOutcome.Status.SKIPPED));
        DemoOutputs out = DemoOutputs.open(work);
        assertEquals(name, out.size());
        assertEquals(file.toAbsolutePath().normalize().toString(), out.summary().get("plan").asText());
        assertEquals(List.of("clip", "dinov2", "clip-concept"), out.backbones());
        assertEquals(List.of("control-clip-classify", "control-clip-zeroshot", "control-dinov2-segment"), out.ofKind("control"));

        // --force reaches a step and the steps after it
        PlanDryRun.Report forced = PlanDryRun.of(plan, work, Set.of("sae-clip-cls"), null, null);
        assertEquals(List.of("sae-clip-cls", "eval-clip-cls", "analyze-clip-cls", "concepts-clip-cls"), forced.steps().stream()
                .filter(s -> !s.cached()).map(s -> s.step().id()).toList());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PlanRunner.run(plan, new PlanRunner.Options(work, Set.of("nonsense"), null, null, log)));
        assertTrue(e.getMessage().contains("--force nonsense: no such step"), e.getMessage());
        return List.copyOf(keys.keySet());
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

    @Test
    void excludingConceptLatentsFromAControlStepsDrawsIsPartOfThatStepsKeyAlone() throws Exception {
        Path file = Workspace.locate().manifests().resolve("plans/quick.json");
        com.fasterxml.jackson.databind.node.ObjectNode tree = (com.fasterxml.jackson.databind.node.ObjectNode) Json.mapper().readTree(file.toFile());
        for (com.fasterxml.jackson.databind.JsonNode s : tree.path("steps")) {
            if (s.path("id").asText().equals("control-dinov2-segment")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) s.path("params")).put("exclude_concept_latents", true);
            }
        }
        Path changed = tmp.resolve("quick-exclude.json");
        Json.mapper().writeValue(changed.toFile(), tree);
        Map<String, String> before = keys(PlanReader.read(file, PlanKinds.ALL));
        Map<String, String> after = keys(PlanReader.read(changed, PlanKinds.ALL));
        List<String> differ = before.keySet().stream().filter(id -> !before.get(id).equals(after.get(id))).toList();
        assertEquals(List.of("control-dinov2-segment"), differ);
    }

    private Map<String, String> keys(Plan plan) throws Exception {
        Map<String, String> keys = new LinkedHashMap<>();
        for (PlanDryRun.StepReport s : PlanDryRun.of(plan, tmp.resolve("work"), Set.of(), null, null).steps()) {
            keys.put(s.step().id(), s.key());
        }
        return keys;
    }
}
