package saelab.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.analysis.AnalysisResult;
import saelab.io.Json;
import saelab.store.ActivationCache;

/**
 * Plumbing test of the whole demo pipeline: the quick plan over the golden fixture models (random weights) given as
 * model folders in place of the toy backbones ({@link PlanRunner#withModelFolders}, what {@code saelab demo --backbone}
 * runs: the third backbone, the comparisons that read it and the toy VLM are left out): every step runs and writes what the next one reads, a rerun skips everything, a changed
 * SAE parameter reruns only the steps after it, and {@code saelab verify} (a child JVM on a throw-away workspace and
 * data root) passes on the recorded manifests and fails once a recorded file is changed. The numbers the steps
 * compute are not checked here (the models are random); the concept matching itself is tested on planted data in
 * {@code saelab.analysis.FamilyMatchingTest}.
 */
class DemoPipelinePlumbingTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);

    @Test
    void plumbingTheWholePipelineOnFixtureBackbonesRerunsOnlyWhatChanged() throws Exception {
        Path dataRoot = tmp.resolve("data");
        Path work = dataRoot.resolve("work/demo");
        Path ws = tmp.resolve("ws");
        Files.createDirectories(ws.resolve("data-manifests"));
        Files.writeString(ws.resolve("data-manifests/figures.json"), "{\"format\": \"saelab-figures/1\", \"figures\": []}");
        java.util.Map<String, Path> folders = new java.util.LinkedHashMap<>();
        folders.put("dinov2", DemoFixtures.dinov2(tmp.resolve("fixtures/dinov2")));
        folders.put("clip", DemoFixtures.clip(tmp.resolve("fixtures/clip")));
        saelab.plan.Plan quick = saelab.plan.PlanReader.read(saelab.config.Workspace.locate().manifests().resolve("plans/quick.json"),
                PlanKinds.ALL);
        // the quick plan on world seed 3 (held-out seed 4): on the fixtures' 4x4 grid its held-out scenes give the section-5
        // example rule a red object of at least 3 patches, which seed 0's 24 held-out scenes do not
        java.util.Map<String, saelab.plan.PlanSource> sources = new java.util.LinkedHashMap<>(quick.sources());
        sources.put("toy", new saelab.plan.PlanSource.ToyWorldSource("toy", saelab.data.ToyWorld.withSeed(3), 64, null));
        sources.put("toy-heldout", new saelab.plan.PlanSource.ToyWorldSource("toy-heldout", saelab.data.ToyWorld.withSeed(4), 24, null));
        saelab.plan.Plan plan = PlanRunner.withModelFolders(new saelab.plan.Plan(quick.file(), quick.name(), quick.note(), sources,
                quick.steps()), folders, log);
        assertTrue(logBytes.toString(StandardCharsets.UTF_8).contains("left out: vlm-clip: the toy VLM is trained only over a toy CLIP"),
                logBytes.toString(StandardCharsets.UTF_8));
        saelab.data.ToyWorld world = ((saelab.plan.PlanSource.ToyWorldSource) plan.sources().get("toy")).world();
        int images = ((saelab.plan.PlanSource.ToyWorldSource) plan.sources().get("toy")).images();
        int heldOutImages = ((saelab.plan.PlanSource.ToyWorldSource) plan.sources().get("toy-heldout")).images();
        PlanRunner.Options o = new PlanRunner.Options(work, Set.of(), ws.resolve("data-manifests"), dataRoot, log);

        DemoPipeline.Result first = PlanRunner.run(plan, o);
        List<String> names = plan.steps().stream().map(saelab.plan.PlanStep::id).toList();
        assertEquals(29, names.size());
        assertEquals(names, first.steps().stream().map(StepOutcome::name).toList());
        assertEquals(29, first.count(StepOutcome.Status.BUILT), logBytes.toString(StandardCharsets.UTF_8));

        // demo.json leads notebooks to the same folders
        DemoOutputs out = DemoOutputs.open(work);
        assertEquals(List.of("clip", "dinov2"), out.backbones());
        assertEquals(WorldStep.worldDir(first.step("world")).toAbsolutePath().normalize(), out.world());
        assertEquals(CaptureStep.cacheDir(first.step("capture-clip")).toAbsolutePath().normalize(), out.cache("clip"));
        assertEquals(SaeStep.checkpoint(first.step("sae-clip-cls")).toAbsolutePath().normalize(),
                out.sae("clip", saelab.store.TokenKind.CLS));
        assertTrue(Files.isRegularFile(out.concepts("dinov2", saelab.store.TokenKind.PATCHES).resolve("concepts.csv")));
        assertTrue(Files.isRegularFile(out.model("dinov2").resolve("config.json")));
        assertThrows(IllegalArgumentException.class, () -> out.dir("capture-siglip"));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> DemoOutputs.open(tmp.resolve("nowhere")));
        sectionFourRules(out);

        // what each step wrote is what the next one reads
        assertTrue(Files.isRegularFile(WorldStep.worldDir(first.step("world")).resolve("world.json")));
        for (String id : List.of("dinov2", "clip")) {
            try (ActivationCache c = ActivationCache.open(CaptureStep.cacheDir(first.step("capture-" + id)))) {
                assertEquals(images, c.nImages());
                assertEquals(1, c.layers().getFirst(), "block -2 of 3");
                assertEquals(16, c.tokens().patches());
                assertTrue(c.tokens().cls() && c.hasPatchLabels());
            }
            TruthFile.Labels truth = TruthFile.read(TruthStep.file(first.step("truth-" + id)));
            assertEquals(images, truth.images());
            assertEquals(ToyFamily.values().length, truth.labels().size());
            for (String kind : List.of("patch", "cls")) {
                assertTrue(Files.isRegularFile(SaeStep.checkpoint(first.step("sae-" + id + "-" + kind))));
                JsonNode metrics = Json.mapper().readTree(first.step("eval-" + id + "-" + kind).dir().resolve("metrics.json").toFile());
                assertEquals(kind.equals("cls") ? images : images * 16L, metrics.get("rows").asLong());
                AnalysisResult ar = AnalysisResult.read(first.step("analyze-" + id + "-" + kind).dir());
                assertEquals(128, ar.rows(), "4 x 32 latents");
                assertTrue(Files.isRegularFile(first.step("analyze-" + id + "-" + kind).dir().resolve("density.csv")));
                Path concepts = first.step("concepts-" + id + "-" + kind).dir();
                List<String> rows = Files.readAllLines(concepts.resolve("concepts.csv"));
                int expected = 0;
                for (ToyFamily f : ToyFamily.values()) {
                    if (kind.equals("patch") || f.unit() == saelab.analysis.ConceptMatching.Unit.IMAGE) {
                        expected += f.classes(world).size();
                    }
                }
                assertEquals(1 + expected, rows.size(), concepts + "/concepts.csv");
                assertTrue(Files.isRegularFile(concepts.resolve("concepts-image-auroc.png")));
                assertEquals(kind.equals("patch"), Files.isRegularFile(concepts.resolve("concepts-patch-auroc.pdf")));
            }
        }
        // the control half: a segmentation head on the vision-only backbone, a probe and a zero-shot head on the one with a
        // text tower, each with its protocol run on the held-out world (another seed), latents chosen by colour name
        assertEquals(heldOutImages, first.step("world-heldout").summary().get("images"));
        assertEquals(world.seed() + 1, ((Number) first.step("world-heldout").summary().get("seed")).longValue());
        assertTrue(Files.isRegularFile(HeadStep.headFile(first.step("heads-dinov2"), saelab.heads.HeadKind.SEGMENT)));
        assertTrue(Files.isRegularFile(HeadStep.headFile(first.step("heads-clip"), saelab.heads.HeadKind.CLASSIFY)));
        assertTrue(Files.isRegularFile(HeadStep.headFile(first.step("heads-clip"), saelab.heads.HeadKind.ZEROSHOT)));
        for (String step : List.of("control-dinov2-segment", "control-clip-classify", "control-clip-zeroshot")) {
            Path dir = first.step(step).dir();
            JsonNode index = Json.mapper().readTree(dir.resolve("index.json").toFile());
            assertEquals(heldOutImages, index.get("images_used").asInt(), step);
            assertTrue(Files.isRegularFile(dir.resolve("per-class.csv")) && Files.isRegularFile(dir.resolve(saelab.plot.DoseResponsePlot.ID + ".png")), step);
            @SuppressWarnings("unchecked")
            List<String> classNames = (List<String>) first.step(step).summary().get("class_names");
            assertFalse(classNames.isEmpty(), step);
            assertTrue(saelab.data.ToyWorld.colourNames().containsAll(classNames), step + " names colours only: " + classNames);
        }
        // the notebook's view of the control half: the protocol table (real and three controls per run), faithfulness, and
        // the dose-response plot redrawn from its CSV
        tech.tablesaw.api.Table protocol = saelab.notebook.DemoControls.protocol(out);
        assertEquals(3 * 4, protocol.rowCount(), protocol.print());
        assertEquals(List.of("real", "random-latent", "random-direction", "class-mean"),
                protocol.stringColumn("condition").asList().subList(0, 4));
        assertEquals(2 + 1 + 1, saelab.notebook.DemoControls.faithfulness(out).rowCount(), "miou and patch accuracy, then top-1 twice");
        assertEquals("s05-1-dose-dinov2-segment",
                saelab.notebook.DemoControls.doseResponse(out, "control-dinov2-segment").id());
        // the section-5 figure of the segmentation run: the rule finds a held-out image with the class, the real edit covers its
        // patches of the class and the random-direction control moves the same tokens by the same norms
        ControlExamples.ImageExample seg = ControlExamples.image(out, "dinov2", saelab.heads.HeadKind.SEGMENT);
        assertTrue(seg.real().editedTokens() >= ControlExamples.MIN_PATCHES, seg.describe());
        org.junit.jupiter.api.Assertions.assertArrayEquals(seg.real().edited(), seg.randomDirection().edited());
        for (int t = 0; t < seg.real().deltaNorms().length; t++) {
            assertEquals(seg.real().deltaNorms()[t], seg.randomDirection().deltaNorms()[t], 1e-4 * (1 + seg.real().deltaNorms()[t]), "token " + t);
        }
        // where the probe's flips go: every held-out image with a label is counted once
        saelab.intervene.ProtocolFlips flips = saelab.intervene.ProtocolFlips.read(out.control("clip", saelab.heads.HeadKind.CLASSIFY));
        assertTrue(flips.images() > 0 && flips.images() <= heldOutImages, flips.images() + " images");
        // show-latent works on an analysis folder
        Path png = tmp.resolve("latent.png");
        int code = quietly(() -> saelab.cli.Main.run("show-latent", "--analysis",
                first.step("analyze-dinov2-patch").dir().toString(), "--latent", "0", "--out", png.toString(), "--top", "4"));
        assertEquals(0, code);
        assertTrue(Files.size(png) > 0);
        // demo.json lists every step's folder and key
        JsonNode demo = Json.mapper().readTree(work.resolve(DemoPipeline.SUMMARY).toFile());
        for (StepOutcome s : first.steps()) {
            JsonNode e = demo.get("steps").get(s.name());
            assertEquals(s.key(), e.get("key").asText());
            assertTrue(Files.isDirectory(work.resolve(e.get("dir").asText())), s.name());
        }
        assertEquals(1 + 2 * 4, first.manifests().size());

        // saelab verify passes on the world, the models, the caches and the SAE checkpoints
        Verify v = verify(ws, dataRoot);
        assertEquals(0, v.code(), v.out());
        for (String id : List.of("demo-world", "demo-dinov2-cache", "demo-clip-sae-patch", "demo-clip-sae-cls", "demo-dinov2-model")) {
            assertTrue(v.out().lines().anyMatch(l -> l.startsWith("ok") && l.contains(id)), id + " in:\n" + v.out());
        }

        // a rerun with nothing changed skips every step
        logBytes.reset();
        DemoPipeline.Result second = PlanRunner.run(plan, o);
        assertEquals(29, second.count(StepOutcome.Status.SKIPPED), logBytes.toString(StandardCharsets.UTF_8));

        // a changed patch-SAE parameter reruns the patch SAE and the steps reading it, per backbone
        List<saelab.plan.PlanStep> changedSteps = new ArrayList<>();
        for (saelab.plan.PlanStep st : plan.steps()) {
            if (st.kind().equals("sae") && st.params(PlanKinds.SaeParams.class).kind() == saelab.store.TokenKind.PATCHES) {
                SaeRecipe r = st.params(PlanKinds.SaeParams.class).recipe();
                st = new saelab.plan.PlanStep(st.kind(), st.id(), st.inputs(), new PlanKinds.SaeParams("patches", new SaeRecipe(r.kind(),
                        r.expansion(), r.k(), r.l1(), r.lr(), r.warmup(), r.batch(), r.steps() + 2, r.seed())), st.note(), st.path());
            }
            changedSteps.add(st);
        }
        DemoPipeline.Result third = PlanRunner.run(new saelab.plan.Plan(plan.file(), plan.name(), plan.note(), plan.sources(),
                changedSteps), o);
        List<String> rebuilt = new ArrayList<>();
        for (StepOutcome s : third.steps()) {
            if (s.status() != StepOutcome.Status.SKIPPED) {
                rebuilt.add(s.name());
            }
        }
        assertEquals(java.util.Set.of("sae-dinov2-patch", "eval-dinov2-patch", "analyze-dinov2-patch", "concepts-dinov2-patch",
                "control-dinov2-segment", "sae-clip-patch", "eval-clip-patch", "analyze-clip-patch", "concepts-clip-patch",
                "control-clip-classify", "control-clip-zeroshot"), new java.util.HashSet<>(rebuilt));
        assertEquals(0, verify(ws, dataRoot).code(), "the manifests follow the new SAE checkpoints");

        // a changed file of the world is caught by verify
        Path annotation = WorldStep.worldDir(first.step("world")).resolve("ADEChallengeData2016/annotations/training/toy_000003.png");
        try (RandomAccessFile f = new RandomAccessFile(annotation.toFile(), "rw")) {
            f.seek(40);
            int b = f.read();
            f.seek(40);
            f.write(b ^ 1);
        }
        Verify bad = verify(ws, dataRoot);
        assertEquals(1, bad.code(), bad.out());
        assertTrue(bad.out().contains("toy_000003.png"), bad.out());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PlanRunner.run(plan, new PlanRunner.Options(
                work, Set.of("nonsense"), null, null, log)));
        assertTrue(e.getMessage().contains("nonsense") && e.getMessage().contains("capture-dinov2"), e.getMessage());
    }

    private record Verify(int code, String out) {}

    /** {@code saelab verify --deep} in a child JVM with its own workspace and data root. */
    private static Verify verify(Path ws, Path dataRoot) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "--enable-native-access=ALL-UNNAMED", "-Dai.djl.offline=true",
                "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"), "saelab.cli.Main", "verify", "--deep")
                .redirectErrorStream(true);
        pb.environment().put("SAELAB_HOME", ws.toString());
        pb.environment().put("SAELAB_DATA", dataRoot.toString());
        Process proc = pb.start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!proc.waitFor(60, TimeUnit.SECONDS)) {
            proc.destroyForcibly();
            throw new AssertionError("saelab verify did not finish within 60 s:\n" + out);
        }
        return new Verify(proc.exitValue(), out);
    }

    private static int quietly(java.util.function.IntSupplier body) {
        PrintStream old = System.out;
        try {
            System.setOut(new PrintStream(java.io.OutputStream.nullOutputStream()));
            return body.getAsInt();
        } finally {
            System.setOut(old);
        }
    }

    /**
     * Section 4's selection rules on the tiny run: every ground-truth concept gets one dedicated-latent row whose verdict
     * follows the fixed threshold from its two F1 values, and every style-span row is a colour or shape latent above the
     * concept threshold with enough examples and entropies in [0, 1].
     */
    private static void sectionFourRules(DemoOutputs out) throws IOException {
        tech.tablesaw.api.Table dedicated = saelab.notebook.DemoStyles.dedicated(out, "dinov2", "clip");
        assertEquals(ToyFamily.COLOUR.classes(saelab.data.ToyWorld.withSeed(0)).size() - 1
                + ToyFamily.SHAPE.classes(saelab.data.ToyWorld.withSeed(0)).size() - 1
                + ToyFamily.TEXTURE.classes(saelab.data.ToyWorld.withSeed(0)).size() - 1, dedicated.rowCount());
        for (tech.tablesaw.api.Row r : dedicated) {
            boolean a = r.getDouble("f1_dinov2") >= saelab.notebook.DemoStyles.DEDICATED_F1;
            boolean b = r.getDouble("f1_clip") >= saelab.notebook.DemoStyles.DEDICATED_F1;
            assertEquals(a && b ? "both" : a ? "dinov2 only" : b ? "clip only" : "neither", r.getString("dedicated_in"),
                    r.getString("concept"));
        }
        for (String backbone : List.of("dinov2", "clip")) {
            for (tech.tablesaw.api.Row r : saelab.notebook.DemoStyles.styleSpans(out, backbone)) {
                assertTrue(!r.getString("family").equals(ToyFamily.TEXTURE.id()), "a texture latent has no style span");
                assertTrue(r.getDouble("f1") >= saelab.notebook.DemoStyles.CONCEPT_F1);
                assertTrue(r.getInt("examples") >= saelab.notebook.DemoStyles.MIN_EXAMPLES);
                assertTrue(r.getDouble("entropy") >= 0 && r.getDouble("entropy") <= 1 && r.getDouble("null_entropy") >= 0
                        && r.getDouble("null_entropy") <= 1, "entropies are normalised");
                assertEquals(r.getDouble("entropy") - r.getDouble("null_entropy"), r.getDouble("excess"), 1e-12);
            }
        }
    }
}
