package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.config.Workspace;
import saelab.io.Json;

/**
 * {@code saelab run}: a bad plan file is one sentence naming the file and the JSON path (exit 2), the dry run of the quick
 * plan finds everything present (exit 0), and the dry run of the paper plan with an empty data root says per step what is
 * missing and how to provide it (exit 1, nothing on standard error).
 */
class RunCliTest {

    @TempDir
    Path tmp;

    private static Path plans() {
        return Workspace.locate().manifests().resolve("plans");
    }

    private static long count(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).count();
    }

    @Test
    void everyBadPlanIsOneSentenceNamingTheFileAndTheField() throws Exception {
        JsonNode quick = Json.mapper().readTree(plans().resolve("quick.json").toFile());
        Map<String, Consumer<ObjectNode>> cases = new LinkedHashMap<>();
        // each case: the JSON path the sentence must name -> the damage
        cases.put("$.extra", p -> p.put("extra", 1));
        cases.put("$.format", p -> p.put("format", "saelab-plan/9"));
        cases.put("$.steps[4].params.block", p -> step(p, 4).with("params").put("block", "two"));
        cases.put("$.steps[6].params.recipe", p -> ((ObjectNode) step(p, 6).get("params").get("recipe")).remove("lr"));
        cases.put("$.steps[6].params.recipe.colour", p -> ((ObjectNode) step(p, 6).get("params").get("recipe")).put("colour", 1));
        cases.put("$.steps[6].params", p -> step(p, 6).with("params").put("tokens", "registers"));
        cases.put("$.steps[0].kind", p -> step(p, 0).put("kind", "teleport"));
        cases.put("$.steps[0].inputs.world", p -> step(p, 0).with("inputs").put("world", "nowhere"));
        cases.put("$.steps[1].inputs.world ", p -> step(p, 1).with("inputs").remove("world"));
        cases.put("$.steps[6].inputs.capture", p -> step(p, 6).with("inputs").put("capture", "capture-nothing"));
        cases.put("$.steps[6].inputs.capture is 'backbone-clip'", p -> step(p, 6).with("inputs").put("capture", "backbone-clip"));
        cases.put("$.steps[7].inputs.colour", p -> step(p, 7).with("inputs").put("colour", "world"));
        cases.put("$.steps[1].id", p -> step(p, 1).put("id", "world"));
        cases.put("$.steps[0].params", p -> step(p, 0).with("params").put("images", 3));
        cases.put("$.sources.toy.images", p -> ((ObjectNode) p.get("sources").get("toy")).put("images", -3));
        cases.put("$.sources.toy.world", p -> ((ObjectNode) p.get("sources").get("toy").get("world")).put("image_size", 3));
        cases.put("$.sources.clip.toy.kind", p -> ((ObjectNode) p.get("sources").get("clip").get("toy")).put("kind", "siglip"));
        cases.put("$.sources.clip", p -> ((ObjectNode) p.get("sources").get("clip")).put("folder", "models/clip"));
        cases.put("$.sources.data.path", p -> ((ObjectNode) p.get("sources")).set("data",
                Json.mapper().createObjectNode().put("type", "dataset").put("layout", "imagenet").put("path", "../../etc")));
        cases.put("$.sources.hub.revision", p -> ((ObjectNode) p.get("sources")).set("hub",
                Json.mapper().createObjectNode().put("type", "model").put("hub", "facebook/dinov2-base").put("revision", "main")));
        cases.put("$.sources.data.layout", p -> ((ObjectNode) p.get("sources")).set("data",
                Json.mapper().createObjectNode().put("type", "dataset").put("layout", "coco").put("path", "coco")));
        cases.put("$.steps", p -> p.put("steps", "all of them"));
        int i = 0;
        for (Map.Entry<String, Consumer<ObjectNode>> c : cases.entrySet()) {
            ObjectNode p = quick.deepCopy();
            c.getValue().accept(p);
            Path file = tmp.resolve("bad-" + i++ + ".json");
            Files.write(file, Json.mapper().writeValueAsBytes(p));
            assertOneSentence(file, c.getKey().strip());
        }
        Path truncated = tmp.resolve("truncated.json");
        Files.writeString(truncated, Files.readString(plans().resolve("quick.json")).substring(0, 300));
        assertOneSentence(truncated, "is not valid JSON");
        Path duplicate = tmp.resolve("duplicate.json");
        Files.writeString(duplicate, "{\"format\": \"saelab-plan/1\", \"format\": \"saelab-plan/1\"}");
        assertOneSentence(duplicate, "Duplicate field 'format'");
    }

    private static ObjectNode step(ObjectNode plan, int i) {
        return (ObjectNode) ((ArrayNode) plan.get("steps")).get(i);
    }

    private void assertOneSentence(Path file, String needle) {
        CliRun.Result r = CliRun.run("run", file.toString(), "--dry-run", "--work", tmp.resolve("w").toString());
        assertEquals(2, r.code(), needle + ": " + r.err() + r.out());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), needle + ": one line expected, got\n" + r.err());
        assertTrue(lines.getFirst().startsWith("saelab run: error: plan " + file + ": "), lines.getFirst());
        assertTrue(lines.getFirst().contains(needle), needle + " in: " + lines.getFirst());
    }

    @Test
    void aJobCountBelowOneIsOneSentenceBeforeAnythingElse() {
        CliRun.Result r = CliRun.run("run", "quick", "--jobs", "0", "--work", tmp.resolve("w").toString());
        assertEquals(2, r.code(), r.err() + r.out());
        assertTrue(r.err().contains("--jobs is 0; expected at least 1"), r.err());
        assertEquals("", r.out(), "nothing is printed or run before the check");
    }

    @Test
    void skipBlockedLeavesOutTheStepsTheRunnerCannotBuildAndNamesThem() throws Exception {
        // the paper plan with its VLM step asking a dataset the toy world's generated questions, which the runner cannot build
        ObjectNode tree = (ObjectNode) Json.mapper()
                .readTree(plans().resolve("paper.json").toFile());
        for (JsonNode s : tree.path("steps")) {
            if (s.path("kind").asText().equals("vlm-control")) {
                ((ObjectNode) s.path("params")).put("question", "generated");
            }
        }
        Path file = tmp.resolve("paper-generated.json");
        Json.mapper().writeValue(file.toFile(), tree);
        saelab.plan.Plan paper = saelab.plan.PlanReader.read(file, saelab.demo.PlanKinds.ALL);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        saelab.plan.Plan left = saelab.demo.PlanRunner.withoutBlocked(paper, new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(paper.steps().size() - 1, left.steps().size(), "only the VLM step, which no step reads");
        assertTrue(left.steps().stream().noneMatch(s -> s.kind().equals("vlm-control")));
        String log = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(log.startsWith("left out: vlm-control-llava: a dataset has no generated questions") && log.strip().lines().count() == 1, log);
        saelab.plan.Plan quick = saelab.plan.PlanReader.read(plans().resolve("quick.json"), saelab.demo.PlanKinds.ALL);
        assertTrue(quick == saelab.demo.PlanRunner.withoutBlocked(quick, new java.io.PrintStream(java.io.OutputStream.nullOutputStream())),
                "a plan the runner can build is kept as it is");
    }

    @Test
    void anUnknownPlanNameListsThePlans() {
        CliRun.Result r = CliRun.run("run", "nosuch", "--dry-run");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("plan 'nosuch'") && r.err().contains("[demo, paper, quick]"), r.err());
    }

    @Test
    void dryRunOfTheQuickPlanFindsEverythingPresentAndBuildsNothing() {
        Path work = tmp.resolve("work");
        CliRun.Result r = CliRun.run("run", "quick", "--dry-run", "--work", work.toString(), "--data-root", tmp.toString());
        assertEquals(0, r.code(), r.err() + r.out());
        assertEquals("", r.err());
        assertEquals(47, count(r.out(), "cache: would be built into "), r.out());
        assertEquals(0, count(r.out(), "MISSING"), r.out());
        assertTrue(r.out().contains("[5/47] capture     capture-clip  inputs: dataset=world, model=backbone-clip"), r.out());
        assertTrue(r.out().contains("disk: about 260.0 KiB = 64 images x 65 tokens x 32 wide x 2 bytes (f16)"), r.out());
        assertTrue(r.out().contains("ready: every step can run"), r.out());
        assertFalse(Files.exists(work), "a dry run writes nothing");
        CliRun.Result force = CliRun.run("run", "quick", "--dry-run", "--work", work.toString(), "--force", "nonsense");
        assertEquals(2, force.code());
        assertTrue(force.err().contains("--force nonsense: no such step in plan quick"), force.err());
    }

    @Test
    void dryRunOfThePaperPlanWithAnEmptyDataRootSaysWhatIsMissingPerStep() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("empty-root"));
        CliRun.Result r = CliRun.run("run", "paper", "--dry-run", "--data-root", root.toString(), "--work", tmp.resolve("w").toString());
        assertEquals(1, r.code(), r.err() + r.out());
        assertEquals("", r.err(), "no stack trace, no error line");
        assertEquals(0, count(r.out(), "not yet runnable: "), "the runner can build every step: " + r.out());
        assertTrue(r.out().contains("MISSING: " + root.resolve("imagenet-1k") + " does not exist; put the imagenet layout"), r.out());
        assertTrue(r.out().contains("MISSING: " + root.resolve("ade20k") + " does not exist; put the ade20k layout"), r.out());
        assertTrue(r.out().contains("hub model facebook/dinov2-with-registers-base has no pinned revision")
                && r.out().contains("saelab hub download imageomics/bioclip@COMMIT"), r.out());
        assertTrue(r.out().contains("hub model llava-hf/llava-1.5-7b-hf has no pinned revision"), "the VLM and its tower: " + r.out());
        assertTrue(r.out().contains("471.0 GiB = 1,281,167 images x 257 tokens x 768 wide x 2 bytes (f16)"), r.out());
        assertTrue(r.out().contains("not ready"), r.out());
    }
}
