package saelab.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Json;
import saelab.plan.Plan;
import saelab.plan.PlanReader;

/**
 * The plan step {@code compare} on tiny codes: the golden DINOv2 and CLIP fixtures (random weights, both on a 4 x 4 patch
 * grid) captured over 24 toy scenes, tiny patch SAEs on each. An SAE compared with itself finds every live latent's
 * counterpart in itself (r = 1, all mutual, no latent without a counterpart); two models are matched over the first
 * {@code images} images, the codes folders are removed once matched; a compare step reading a CLS SAE, or asking for
 * more images than the captures hold, is one sentence.
 */
class PlanCompareStepTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);

    private static final String SAE = """
            "recipe": {"kind": "topk", "expansion": 2, "k": 4, "l1": 0.0, "lr": 0.001, "warmup": 2, "batch": 64, "steps": 8, "seed": 0}""";

    private Path plan(String compares) throws Exception {
        Path f = tmp.resolve("plan.json");
        Files.writeString(f, """
                {"format": "saelab-plan/1", "name": "t", "sources": {
                  "toy": {"type": "toy-world", "world": {"image_size": 64, "min_objects": 1, "max_objects": 3, "seed": 3}, "images": 24},
                  "dinov2": {"type": "model", "folder": "models/dinov2"},
                  "clip": {"type": "model", "folder": "models/clip"}},
                 "steps": [
                  {"kind": "world", "id": "world", "inputs": {"world": "toy"}},
                  {"kind": "backbone", "id": "backbone-dinov2", "inputs": {"model": "dinov2", "world": "toy"}},
                  {"kind": "backbone", "id": "backbone-clip", "inputs": {"model": "clip", "world": "toy"}},
                  {"kind": "capture", "id": "capture-dinov2", "inputs": {"dataset": "world", "model": "backbone-dinov2"}, "params": {"block": -2, "batch": 8}},
                  {"kind": "capture", "id": "capture-clip", "inputs": {"dataset": "world", "model": "backbone-clip"}, "params": {"block": -2, "batch": 8}},
                  {"kind": "sae", "id": "sae-dinov2-patch", "inputs": {"capture": "capture-dinov2"}, "params": {"tokens": "patches", %s}},
                  {"kind": "sae", "id": "sae-clip-patch", "inputs": {"capture": "capture-clip"}, "params": {"tokens": "patches", %s}},
                  {"kind": "sae", "id": "sae-clip-cls", "inputs": {"capture": "capture-clip"}, "params": {"tokens": "cls", %s}}%s]}
                """.formatted(SAE, SAE, SAE, compares));
        return f;
    }

    private static String compare(String id, String a, String b, int images) {
        return ",\n{\"kind\": \"compare\", \"id\": \"%s\", \"inputs\": {\"a\": \"%s\", \"b\": \"%s\", \"dataset\": \"world\"}, \"params\": {\"tokens\": \"patches\", \"images\": %d, \"max_table_mib\": 64}}"
                .formatted(id, a, b, images);
    }

    private Path dataRoot() throws Exception {
        Path root = tmp.resolve("data");
        if (!Files.isDirectory(root)) {
            DemoFixtures.dinov2(root.resolve("models/dinov2"));
            DemoFixtures.clip(root.resolve("models/clip"));
        }
        return root;
    }

    private DemoPipeline.Result run(Path planFile) throws Exception {
        Plan p = PlanReader.read(planFile, PlanKinds.ALL);
        return PlanRunner.run(p, new PlanRunner.Options(tmp.resolve("work"), Set.of(), null, dataRoot(), log));
    }

    @Test
    void anSaeComparedWithItselfIsItsOwnCounterpartAndTwoModelsAreMatchedOnTheirFirstImages() throws Exception {
        DemoPipeline.Result r = run(plan(compare("compare-self", "sae-dinov2-patch", "sae-dinov2-patch", 24)
                + compare("compare-clip-dinov2", "sae-clip-patch", "sae-dinov2-patch", 20)));
        Path self = r.step("compare-self").dir();
        JsonNode s = Json.mapper().readTree(self.resolve("summary.json").toFile());
        assertEquals(24 * 16, s.get("units").asLong());
        int live = s.get("a").get("live").asInt();
        assertTrue(live > 0, s.toString());
        assertEquals(live, s.get("mutual_pairs").asInt(), "every live latent is its own best match");
        for (String t : List.of("0.3", "0.5", "0.7")) {
            assertEquals(0.0, s.get("a").get("no_counterpart_share").get(t).asDouble(), t);
        }
        List<String> rows = Files.readAllLines(self.resolve("matches-a.csv"));
        assertEquals(1 + 64, rows.size(), "one row per latent of the 64");
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",", -1);
            if (!f[1].equals("0")) {
                assertEquals(f[0], f[2], row);
                assertEquals(1.0, Double.parseDouble(f[3]), 1e-4, row);
            }
        }
        Path pair = r.step("compare-clip-dinov2").dir();
        JsonNode p = Json.mapper().readTree(pair.resolve("summary.json").toFile());
        assertEquals(20 * 16, p.get("units").asLong(), "the first 20 images' patches");
        assertEquals("sae-clip-patch", p.get("a").get("name").asText());
        assertEquals("sae-dinov2-patch", p.get("b").get("name").asText());
        assertTrue(Files.isRegularFile(pair.resolve("matches-b.csv")));
        assertFalse(Files.exists(pair.resolve(CompareStep.CODES_A)) || Files.exists(pair.resolve(CompareStep.CODES_B)),
                "the codes are removed once matched");
        assertEquals(p.get("mutual_pairs").asInt(), ((Number) r.step("compare-clip-dinov2").summary().get("mutual_pairs")).intValue());
    }

    @Test
    void aCompareOfACLSSaeOrOfMoreImagesThanCapturedIsOneSentence() throws Exception {
        Path cls = plan(compare("compare-bad", "sae-clip-cls", "sae-dinov2-patch", 24));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(cls));
        assertTrue(e.getMessage().contains("step compare-bad is not runnable yet: its input a (sae-clip-cls) is an SAE on CLS"
                + " tokens; expected an SAE on patch tokens"), e.getMessage());
        Path many = plan(compare("compare-many", "sae-clip-patch", "sae-dinov2-patch", 25));
        e = assertThrows(IllegalArgumentException.class, () -> run(many));
        assertTrue(e.getMessage().contains("compare: field 'images' is 25 but the capture under sae-clip-patch holds 24 images;"
                + " expected at most that many"), e.getMessage());
        Path none = plan(compare("compare-none", "sae-clip-patch", "sae-dinov2-patch", 24).replace("\"max_table_mib\": 64",
                "\"max_table_mib\": 0"));
        e = assertThrows(IllegalArgumentException.class, () -> run(none));
        assertTrue(e.getMessage().contains("field 'max_table_mib' is 0; expected a positive number of MiB"), e.getMessage());
    }
}
