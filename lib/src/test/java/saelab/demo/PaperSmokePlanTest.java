package saelab.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.data.ToyDatasetExport;
import saelab.data.ToyWorld;
import saelab.io.Json;
import saelab.plan.Plan;
import saelab.plan.PlanReader;
import saelab.plan.PlanStep;

/**
 * The paper plan's structure end to end on small local material ({@code src/test/resources/plans/paper-smoke.json}): a data
 * root holding toy-world scenes exported in the ImageNet, iNat2021, ADE20K and CUB layouts ({@link ToyDatasetExport}) and the
 * golden tiny DINOv2-with-registers, CLIP, BioCLIP (open_clip layout) and LLaVA folders; the runner builds every step from
 * the dataset and model sources (their source steps, captures, SAEs, evaluations, analyses, comparisons, concept matching on
 * the datasets' labels, heads, control protocols, the VLM protocol asking the LLaVA about ImageNet-layout images), each step's output is in the run's index with its files, and a second run
 * skips everything. The numbers mean nothing.
 */
public class PaperSmokePlanTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);

    /** The smoke plan file (test resources). */
    public static Path planFile() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path p : List.of(dir.resolve("src/test/resources/plans/paper-smoke.json"),
                    dir.resolve("lib/src/test/resources/plans/paper-smoke.json"))) {
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        return fail("paper-smoke.json not found under src/test/resources/plans from " + Path.of("").toAbsolutePath());
    }

    /** Builds the data root of the smoke plan: the four exports (24 training, 8 held-out scenes) and the four model folders. */
    public static Path dataRoot(Path root) throws IOException {
        ToyWorld world = ToyWorld.withSeed(3);
        for (ToyDatasetExport.Layout l : ToyDatasetExport.Layout.values()) {
            ToyDatasetExport.write(l, root.resolve(l.id()), world, 24, 8);
        }
        Path models = root.resolve("models");
        DemoFixtures.dinov2(models.resolve("dinov2"), "dinov2_registers");
        DemoFixtures.clip(models.resolve("clip"));
        DemoFixtures.llava(models.resolve("llava"));
        Path bioclip = Files.createDirectories(models.resolve("bioclip"));
        for (String f : List.of("open_clip_config.json", "open_clip_model.safetensors")) {
            Files.copy(DemoFixtures.golden("bioclip").resolve(f), bioclip.resolve(f));
        }
        return root;
    }

    @Test
    void theDryRunWithPartOfTheDataSaysPerStepWhatIsMissing() throws Exception {
        Plan plan = PlanReader.read(planFile(), PlanKinds.ALL);
        Path root = tmp.resolve("part");
        ToyDatasetExport.write(ToyDatasetExport.Layout.IMAGENET, root.resolve("imagenet"), ToyWorld.withSeed(3), 4, 2);
        DemoFixtures.dinov2(root.resolve("models/dinov2"), "dinov2_registers");
        Files.createDirectories(root.resolve("cub200"));
        PlanDryRun.Report r = PlanDryRun.of(plan, tmp.resolve("w"), Set.of(), root, null);
        String text = r.describe();
        assertTrue(!r.ready(), text);
        Map<String, PlanDryRun.StepReport> by = new java.util.LinkedHashMap<>();
        r.steps().forEach(s -> by.put(s.step().id(), s));
        assertTrue(by.get("capture-dinov2-in1k").needs().stream().allMatch(PlanDryRun.Need::present), text);
        assertTrue(by.get("capture-dinov2-in1k").key() != null, "its key is known: the dataset was listed and the model hashed");
        PlanDryRun.Need clip = by.get("capture-clip-in1k").needs().get(1);
        assertTrue(!clip.present() && clip.detail().contains(root.resolve("models/clip") + " has no config.json"), clip.detail());
        PlanDryRun.Need cub = by.get("capture-dinov2-cub").needs().getFirst();
        assertTrue(!cub.present() && cub.detail().contains("CUB_200_2011/ with images/, images.txt"), cub.detail());
        PlanDryRun.Need ade = by.get("heads-dinov2-ade20k").needs().getFirst();
        assertTrue(!ade.present() && ade.detail().equals(root.resolve("ade20k") + " does not exist; put the ade20k layout"
                + " (ADEChallengeData2016/images/{training,validation}/*.jpg and annotations/{training,validation}/*.png), split train"
                + " there"), ade.detail());
        assertTrue(by.get("sae-clip-in1k-patch").key() == null && text.contains("cache: unknown until what it reads is present"), text);
        assertTrue(!Files.exists(tmp.resolve("w")), "a dry run writes nothing");
    }

    /**
     * Where the full smoke run is kept for the test command's next stage, which runs the section notebooks on it
     * ({@code environment/test.sh}): {@code target/paper-smoke/} of the module, emptied first.
     */
    static Path keptRun() throws IOException {
        Path dir = Path.of(System.getProperty("saelab.paperSmoke.dir", "target/paper-smoke")).toAbsolutePath().normalize();
        saelab.io.FileTrees.deleteTree(dir);
        return Files.createDirectories(dir);
    }

    @Test
    void thePaperShapedPlanRunsEveryStepOnTheRealDataPathsThenSkipsEverything() throws Exception {
        Plan plan = PlanReader.read(planFile(), PlanKinds.ALL);
        Path kept = keptRun();
        Path root = dataRoot(kept.resolve("data"));
        Path work = kept.resolve("work");

        PlanDryRun.Report dry = PlanDryRun.of(plan, work, Set.of(), root, null);
        assertTrue(dry.ready(), dry.describe());

        DemoPipeline.Result first = PlanRunner.run(plan, new PlanRunner.Options(work, Set.of(), null, root, log));
        String text = logBytes.toString(StandardCharsets.UTF_8);
        List<String> sources = PlanSteps.sourceStepNames(plan);
        assertEquals(List.of("source-in1k-train", "source-dinov2", "source-clip", "source-inat21-mini", "source-bioclip",
                "source-in1k-val", "source-inat21-val", "source-ade20k-train", "source-ade20k-val", "source-cub-train", "source-cub-test", "source-llava"),
                sources);
        assertEquals(plan.steps().size() + sources.size(), first.steps().size(), text);
        assertEquals(first.steps().size(), first.count(StepOutcome.Status.BUILT), text);

        JsonNode index = Json.mapper().readTree(work.resolve(DemoPipeline.SUMMARY).toFile());
        List<String> ids = new ArrayList<>(sources);
        plan.steps().stream().map(PlanStep::id).forEach(ids::add);
        for (String id : ids) {
            JsonNode s = index.path("steps").path(id);
            assertTrue(s.isObject(), "the index lists " + id);
            Path dir = work.resolve(s.path("dir").asText());
            assertTrue(Files.isRegularFile(dir.resolve(StepRunner.STEP_FILE)), id + ": " + dir);
        }
        // each kind's own outputs
        for (PlanStep s : plan.steps()) {
            Path dir = work.resolve(index.path("steps").path(s.id()).path("dir").asText());
            List<String> expected = switch (s.kind()) {
                case "capture" -> List.of("cache/manifest.json");
                case "sae" -> List.of(SaeStep.CHECKPOINT);
                case "eval" -> List.of("metrics.json");
                case "analyze" -> List.of("index.json", saelab.analysis.DensityView.FILE, saelab.analysis.DensityView.SOURCE_FILE, "density.png");
                case "concepts" -> List.of("concepts.csv", "source.json");
                case "heads" -> s.id().equals("heads-clip-in1k") ? List.of("classify.safetensors", "zeroshot.safetensors", "cache/manifest.json")
                        : s.id().equals("heads-dinov2-ade20k") ? List.of("segment.safetensors") : List.of("classify.safetensors");
                case "control" -> List.of("summary.json", "per-class.csv", "index.json");
                case "compare" -> List.of("summary.json", "matches-a.csv", "matches-b.csv");
                case "vlm-control" -> List.of("class/questions.jsonl", "class/protocol/summary.json", "class/protocol/answers.csv",
                        "class/protocol/index.json");
                default -> List.of();
            };
            for (String f : expected) {
                assertTrue(Files.isRegularFile(dir.resolve(f)), s.id() + " wrote " + f + " (in " + dir + ")");
            }
        }
        // the datasets' captures have image labels, no patch labels: the density view is of the top images' class labels
        Path analysis = work.resolve(index.path("steps").path("analyze-clip-in1k-patch").path("dir").asText());
        assertEquals(saelab.analysis.LabelStatistics.Source.IMAGE, saelab.analysis.DensityView.source(analysis));
        saelab.analysis.DensityView density = saelab.analysis.DensityView.read(analysis);
        assertTrue(java.util.Arrays.stream(density.entropy()).anyMatch(h -> h >= 0 && h <= Math.log(8) + 1e-9),
                "some latent's top images carry class labels, at most ln 8 nats over the 8 colour classes");
        JsonNode cub = index.path("steps").path("concepts-dinov2-cub").path("summary");
        assertEquals("image", cub.path("unit").asText(), "CUB's image labels: image units");
        assertEquals("patch", index.path("steps").path("concepts-dinov2-ade20k").path("summary").path("unit").asText(),
                "ADE20K's label maps: patch units");
        assertEquals("patch", index.path("steps").path("compare-dinov2-clip-in1k").path("summary").path("unit").asText(),
                "both golden models see a 4x4 grid");

        // the index says what each step is, so readers find steps by kind and role as on a demo run
        DemoOutputs run = DemoOutputs.open(work);
        for (String src : sources) {
            assertEquals(StepRole.SOURCE, run.kind(src), src);
            assertEquals(src, SourceStep.PREFIX + run.input(src, "source"));
        }
        for (PlanStep s : plan.steps()) {
            assertEquals(s.kind(), run.kind(s.id()), s.id());
            assertEquals(s.inputs(), run.inputs(s.id()), s.id());
        }
        List<RunSae> saes = run.saes();
        assertEquals(List.of("sae-dinov2-in1k-patch", "sae-clip-in1k-patch", "sae-clip-inat21-patch", "sae-bioclip-inat21-patch",
                "sae-llava-in1k-patch"), saes.stream().map(RunSae::step).toList());
        RunSae bioclip = saes.get(3);
        assertEquals("bioclip-inat21 patch", bioclip.id());
        assertEquals("bioclip", bioclip.modelName());
        assertEquals("eval-bioclip-inat21-patch", bioclip.eval());
        assertEquals("analyze-bioclip-inat21-patch", bioclip.analysis());
        assertEquals(root.resolve("models/bioclip").toAbsolutePath().normalize(), run.modelFolder(bioclip.model()).toAbsolutePath().normalize());
        assertEquals(List.of("control-dinov2-cub-classify"), run.readers("control", "concepts", "concepts-dinov2-cub"));
        assertEquals("compare-dinov2-clip-in1k", run.forSection("compare", "4.1"), "the plan's note names the section");
        assertEquals("compare-clip-bioclip-inat21", run.forSection("compare", "4.2"));
        IllegalArgumentException none = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> run.forSection("compare", "4"), "section 4 is not section 4.1");
        assertTrue(none.getMessage().contains("no compare step has a note starting 'section 4'"), none.getMessage());
        assertEquals(List.of("control-clip-in1k-classify", "control-clip-in1k-zeroshot"), run.readers("control", "sae", "sae-clip-in1k-patch"));
        assertEquals(saelab.text.PromptTemplates.simple7(), run.zeroShotTemplates("heads-clip-in1k"), "the plan's template set");
        JsonNode vlm = index.path("steps").path("vlm-control-llava").path("summary").path("class");
        assertEquals(8, vlm.path("questions").asInt(), "every held-out image of a class with a latent is asked about: " + vlm);
        assertEquals(vlm.path("questions").asInt(), vlm.at("/faithfulness/no_edit_identical_tokens").asInt(),
                "with no edit the LLaVA answers as without the SAE, token for token");
        for (JsonNode q : Json.mapper().readTree("[" + String.join(",", Files.readAllLines(run.dir("vlm-control-llava")
                .resolve("class/questions.jsonl"))) + "]")) {
            assertEquals("What is the main object in this image? Answer with its name only.", q.path("question").asText());
            assertTrue(Files.isRegularFile(root.resolve("imagenet").resolve(q.path("image").asText())), q.toString());
        }

        logBytes.reset();
        DemoPipeline.Result second = PlanRunner.run(plan, new PlanRunner.Options(work, Set.of(), null, root, log));
        assertEquals(second.steps().size(), second.count(StepOutcome.Status.SKIPPED), logBytes.toString(StandardCharsets.UTF_8));
        for (int i = 0; i < first.steps().size(); i++) {
            assertEquals(first.steps().get(i).key(), second.steps().get(i).key(), first.steps().get(i).name());
        }
    }
}
