package saelab.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.config.Workspace;
import saelab.io.Json;
import saelab.plan.PlanReader;

/**
 * A heads step's {@code templates}: the prompt templates its zero-shot head averages, written in the plan ({@code toy} on
 * the toy world, {@code simple7} or {@code openai80} on a dataset, {@code none} without a zero-shot head); a value that
 * does not fit the heads or the source is one sentence naming the field.
 */
class PlanHeadsTemplatesTest {

    @TempDir
    Path tmp;

    private Path changed(String planName, String stepId, String templates) throws Exception {
        ObjectNode tree = (ObjectNode) Json.mapper().readTree(Workspace.locate().manifests().resolve("plans/" + planName).toFile());
        for (JsonNode s : tree.path("steps")) {
            if (s.path("id").asText().equals(stepId)) {
                ((ObjectNode) s.path("params")).put("templates", templates);
            }
        }
        Path file = tmp.resolve(planName);
        Json.mapper().writeValue(file.toFile(), tree);
        return file;
    }

    @Test
    void theToyWorldTakesItsOwnTemplatesAndADatasetANamedSet() throws Exception {
        Map<String, String> toy = PlanSteps.blockers(PlanReader.read(changed("quick.json", "heads-clip", "simple7"), PlanKinds.ALL));
        assertTrue(toy.get("heads-clip").startsWith("a zero-shot head on the toy world averages the world's caption templates"), toy.toString());
        Map<String, String> paper = PlanSteps.blockers(PlanReader.read(changed("paper.json", "heads-clip-in1k", "toy"), PlanKinds.ALL));
        assertTrue(paper.get("heads-clip-in1k").startsWith("the toy templates are the toy world's captions"), paper.toString());
        assertEquals(Map.of(), PlanSteps.blockers(PlanReader.read(changed("paper.json", "heads-clip-in1k", "openai80"), PlanKinds.ALL)),
                "all 80 of OpenAI's templates are a choice too");
    }

    @Test
    void templatesThatDoNotFitTheHeadsAreOneSentence() throws Exception {
        for (String[] c : new String[][] {{"quick.json", "heads-dinov2", "toy", "field 'templates' is 'toy', but no zeroshot head is asked for"},
                {"paper.json", "heads-clip-in1k", "none", "field 'templates' is none, but a zeroshot head is asked for"},
                {"paper.json", "heads-clip-in1k", "openai81", "prompt template set 'openai81' is not known; expected one of [simple7, openai80]"}}) {
            Path file = changed(c[0], c[1], c[2]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PlanReader.read(file, PlanKinds.ALL));
            assertTrue(e.getMessage().contains(c[3]) && e.getMessage().contains(".params"), e.getMessage());
        }
    }
}
