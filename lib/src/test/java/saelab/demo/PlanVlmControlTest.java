package saelab.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.config.Workspace;
import saelab.io.Json;
import saelab.plan.Plan;
import saelab.plan.PlanReader;

/**
 * What the runner says of a plan's VLM control step before touching a file ({@link PlanSteps#blockers}): on the toy world it
 * asks the world's generated questions of a vlm step's toy VLM in llava-1.5 prompts; on a dataset it asks the plan's question
 * of a LLaVA model source about images with class labels, with latents matched to the dataset's labels. Anything else is one
 * clause naming the field to change.
 */
class PlanVlmControlTest {

    @TempDir
    Path tmp;

    /** The blockers of a shipped plan with its first vlm-control step changed. */
    private Map<String, String> blockers(String planName, Consumer<ObjectNode> change) throws Exception {
        ObjectNode tree = (ObjectNode) Json.mapper().readTree(Workspace.locate().manifests().resolve("plans/" + planName).toFile());
        for (JsonNode s : tree.path("steps")) {
            if (s.path("kind").asText().equals("vlm-control")) {
                change.accept((ObjectNode) s);
                break;
            }
        }
        Path file = tmp.resolve(planName);
        Json.mapper().writeValue(file.toFile(), tree);
        Plan plan = PlanReader.read(file, PlanKinds.ALL);
        return PlanSteps.blockers(plan);
    }

    private static void assertBlocked(Map<String, String> blockers, String step, String clause) {
        assertEquals(1, blockers.size(), blockers.toString());
        assertTrue(blockers.get(step) != null && blockers.get(step).startsWith(clause), blockers.toString());
    }

    @Test
    void asShippedBothProfilesBuildTheirVlmStep() throws Exception {
        assertEquals(Map.of(), blockers("paper.json", s -> { }));
        assertEquals(Map.of(), blockers("demo.json", s -> { }));
    }

    @Test
    void onADatasetTheQuestionIsTheStepsOwnAndTheImagesNeedClassLabels() throws Exception {
        assertBlocked(blockers("paper.json", s -> s.with("params").put("question", "generated")), "vlm-control-llava",
                "a dataset has no generated questions; set params.question");
        assertBlocked(blockers("paper.json", s -> s.with("inputs").put("dataset", "ade20k-val")), "vlm-control-llava",
                "the VLM protocol asks about an image's class, and the ade20k layout labels pixels");
        assertBlocked(blockers("paper.json", s -> s.with("params").put("first_image", 40)), "vlm-control-llava",
                "params.first_image picks a range of the toy world's held-out scenes");
    }

    @Test
    void aSwapDoseOrADoseGridOutsideTheRulesIsOneSentenceOfThePlanReader() {
        Exception dose = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> blockers("quick.json", s -> s.with("params").put("swap_dose", 0)));
        assertTrue(dose.getMessage().contains("swap_dose") && dose.getMessage().contains("expected a positive number"), dose.getMessage());
        Exception grid = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> blockers("quick.json", s -> s.with("params").putArray("doses").add(1).add(1)));
        assertTrue(grid.getMessage().contains("twice"), grid.getMessage());
    }

    @Test
    void onTheToyWorldTheQuestionsAreGeneratedAndThePromptsLlava15() throws Exception {
        assertBlocked(blockers("quick.json", s -> s.with("params").put("question", "What is this?")), "control-vlm-clip",
                "on the toy world the questions are the world's own; set params.question to \"generated\"");
        assertBlocked(blockers("quick.json", s -> s.with("params").put("template", "llava-interleave")), "control-vlm-clip",
                "the toy VLM is trained on llava-1.5 prompts; set params.template to llava-1.5");
    }

    @Test
    void theFamiliesAreTheToyWorldsOnTheToyWorldAndTheClassOnADataset() throws Exception {
        assertBlocked(blockers("quick.json", s -> s.with("params").putArray("families").add("colour").add("count")), "control-vlm-clip",
                "params.families names 'count'; on the toy world the families are colour, shape, texture");
        assertBlocked(blockers("paper.json", s -> s.with("params").putArray("families").add("colour")), "vlm-control-llava",
                "params.families is [colour]; on a dataset the one family is the image's class, so set it to [\"class\"]");
        Exception repeated = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> blockers("quick.json", s -> s.with("params").putArray("families").add("shape").add("shape")));
        assertTrue(repeated.getMessage().contains("field 'families' is [shape, shape]; expected one or more distinct question families"),
                repeated.getMessage());
        Exception none = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> blockers("quick.json", s -> s.with("params").putArray("families")));
        assertTrue(none.getMessage().contains("field 'families' is []"), none.getMessage());
    }
}
