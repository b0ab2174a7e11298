package saelab.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader on its own, with a registry of one kind that may read another step of its kind (the demo's kinds cannot
 * form a cycle, their roles only point down): file order is kept except where a step reads a later one, a cycle is one
 * sentence naming its steps, and a file over the size limit is refused before it is parsed.
 */
class PlanReaderTest {

    @TempDir
    Path tmp;

    /** Kind {@code link}: an optional input {@code prev} (another link step) and no parameters. */
    private static final Map<String, StepKind> KINDS = Map.of("link",
            new StepKind("link", List.of(StepKind.Role.optional("prev", "step:link")), null, "a test step"));

    private Path plan(String steps) throws Exception {
        Path f = tmp.resolve("p.json");
        Files.writeString(f, "{\"format\": \"saelab-plan/1\", \"name\": \"t\", \"sources\": {}, \"steps\": [" + steps + "]}");
        return f;
    }

    @Test
    void aStepRunsAfterTheStepsItReadsOtherwiseInFileOrder() throws Exception {
        Plan p = PlanReader.read(plan("""
                {"kind": "link", "id": "c", "inputs": {"prev": "b"}},
                {"kind": "link", "id": "a", "inputs": {}},
                {"kind": "link", "id": "b", "inputs": {"prev": "a"}},
                {"kind": "link", "id": "d", "inputs": {}}"""), KINDS);
        assertEquals(List.of("a", "b", "c", "d"), p.steps().stream().map(PlanStep::id).toList());
        assertEquals("$.steps[0]", p.step("c").path());
    }

    @Test
    void aCycleIsOneSentenceNamingItsSteps() throws Exception {
        Path f = plan("""
                {"kind": "link", "id": "a", "inputs": {"prev": "c"}},
                {"kind": "link", "id": "b", "inputs": {"prev": "a"}},
                {"kind": "link", "id": "c", "inputs": {"prev": "b"}}""");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PlanReader.read(f, KINDS));
        assertEquals("plan " + f + ": $.steps[0].inputs step 'a' is part of a cycle a -> c -> b -> a; expected every step to read"
                + " only steps that do not read it back", e.getMessage());
        Path self = plan("{\"kind\": \"link\", \"id\": \"a\", \"inputs\": {\"prev\": \"a\"}}");
        e = assertThrows(IllegalArgumentException.class, () -> PlanReader.read(self, KINDS));
        assertTrue(e.getMessage().contains("$.steps[0].inputs.prev refers to the step itself"), e.getMessage());
    }

    @Test
    void anOversizedFileIsRefusedBeforeItIsRead() throws Exception {
        Path f = tmp.resolve("big.json");
        Files.write(f, new byte[PlanReader.MAX_BYTES + 1]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PlanReader.read(f, KINDS));
        assertTrue(e.getMessage().contains("expected a plan file of at most"), e.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> PlanReader.read(tmp.resolve("absent.json"), KINDS));
        assertTrue(missing.getMessage().endsWith("absent.json does not exist"), missing.getMessage());
    }
}
