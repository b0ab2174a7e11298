package saelab.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Json;

/**
 * The content-addressed step runner on a small graph of steps that write text files: a reads nothing, b reads a,
 * c reads b, d reads a. Each body records that it ran and writes its output from its parameter and its inputs' files.
 */
class StepRunnerTest {

    @TempDir
    Path tmp;

    private final List<String> ran = new ArrayList<>();
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logBytes, true, StandardCharsets.UTF_8);

    private Step step(String name, Object param, StepOutcome... inputs) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("value", param);
        return new Step(name, 1, params, List.of(inputs), (out, l) -> {
            ran.add(name);
            StringBuilder text = new StringBuilder(name + "=" + param);
            for (StepOutcome in : inputs) {
                text.append(" <- ").append(Files.readString(in.dir().resolve("out.txt")));
            }
            Files.writeString(out.resolve("out.txt"), text.toString());
            return Map.of("length", text.length());
        });
    }

    /** Runs the graph with b's parameter {@code b}; returns the outcomes a, b, c, d. */
    private List<StepOutcome> graph(Path work, String b, Set<String> force) throws IOException {
        try (StepRunner r = new StepRunner(work, force, log)) {
            r.expect(4);
            StepOutcome sa = r.run(step("a", 1));
            StepOutcome sb = r.run(step("b", b, sa));
            StepOutcome sc = r.run(step("c", 3, sb));
            StepOutcome sd = r.run(step("d", 4, sa));
            return List.of(sa, sb, sc, sd);
        }
    }

    private static List<StepOutcome.Status> statuses(List<StepOutcome> s) {
        return s.stream().map(StepOutcome::status).toList();
    }

    @Test
    void aRerunWithNothingChangedSkipsEveryStep() throws IOException {
        Path work = tmp.resolve("work");
        List<StepOutcome> first = graph(work, "x", Set.of());
        assertEquals(List.of(StepOutcome.Status.BUILT, StepOutcome.Status.BUILT, StepOutcome.Status.BUILT, StepOutcome.Status.BUILT),
                statuses(first));
        assertEquals("c=3 <- b=x <- a=1", Files.readString(first.get(2).dir().resolve("out.txt")));
        assertEquals(work.resolve("c").resolve(first.get(2).key().substring(0, StepRunner.PREFIX)), first.get(2).dir());
        ran.clear();
        List<StepOutcome> second = graph(work, "x", Set.of());
        assertEquals(List.of(), ran, "no body runs");
        assertTrue(statuses(second).stream().allMatch(s -> s == StepOutcome.Status.SKIPPED));
        assertEquals(first.stream().map(StepOutcome::key).toList(), second.stream().map(StepOutcome::key).toList());
        assertEquals(first.get(2).summary(), second.get(2).summary(), "the summary comes back from step.json");
        assertTrue(logBytes.toString(StandardCharsets.UTF_8).contains("skipped (unchanged)"));
        var rec = Json.mapper().readTree(first.get(1).dir().resolve(StepRunner.STEP_FILE).toFile());
        assertEquals(first.get(1).key(), rec.get("key").asText());
        assertEquals("x", rec.get("params").get("value").asText());
        assertEquals(first.getFirst().key(), rec.get("inputs").get(0).get("key").asText());
        assertTrue(rec.get("seconds").asDouble() >= 0);
    }

    @Test
    void changingOneParameterRerunsThatStepAndItsDependentsOnly() throws IOException {
        Path work = tmp.resolve("work");
        List<StepOutcome> first = graph(work, "x", Set.of());
        ran.clear();
        List<StepOutcome> second = graph(work, "y", Set.of());
        assertEquals(List.of("b", "c"), ran);
        assertEquals(List.of(StepOutcome.Status.SKIPPED, StepOutcome.Status.BUILT, StepOutcome.Status.BUILT,
                StepOutcome.Status.SKIPPED), statuses(second));
        assertNotEquals(first.get(1).key(), second.get(1).key());
        assertNotEquals(first.get(2).key(), second.get(2).key(), "c's key follows its input's");
        assertEquals("c=3 <- b=y <- a=1", Files.readString(second.get(2).dir().resolve("out.txt")));
        assertTrue(Files.isDirectory(first.get(1).dir()), "the output of the old parameter is kept");
        ran.clear();
        graph(work, "x", Set.of());
        assertEquals(List.of(), ran, "switching back finds the old outputs");
    }

    @Test
    void forceRebuildsTheStepAndEveryStepAfterItWithTheSameKeys() throws IOException {
        Path work = tmp.resolve("work");
        List<StepOutcome> first = graph(work, "x", Set.of());
        ran.clear();
        List<StepOutcome> forced = graph(work, "x", Set.of("b"));
        assertEquals(List.of("b", "c"), ran);
        assertEquals(List.of(StepOutcome.Status.SKIPPED, StepOutcome.Status.FORCED, StepOutcome.Status.FORCED,
                StepOutcome.Status.SKIPPED), statuses(forced));
        assertEquals(first.get(2).dir(), forced.get(2).dir());
        try (Stream<Path> s = Files.list(work.resolve("b"))) {
            assertEquals(1, s.count(), "the old folder was swapped out, not left beside the new one");
        }
        assertTrue(StepRunner.matches(Set.of("capture"), "capture-dinov2"));
        assertFalse(StepRunner.matches(Set.of("capture"), "captured"));
        assertTrue(StepRunner.matches(Set.of("all"), "anything"));
    }

    @Test
    void aFailingStepLeavesNoOutputAndAKilledRunsLeftoversAreRemoved() throws IOException {
        Path work = tmp.resolve("work");
        Step bad = new Step("bad", 1, Map.of("v", 1), List.of(), (out, l) -> {
            Files.writeString(out.resolve("half.txt"), "half");
            throw new IllegalStateException("boom");
        });
        try (StepRunner r = new StepRunner(work, Set.of(), log)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> r.run(bad));
            assertEquals("boom", e.getMessage());
        }
        try (Stream<Path> s = Files.list(work.resolve("bad"))) {
            assertEquals(List.of(), s.toList(), "neither the output folder nor the staging folder remains");
        }
        // what a process killed half-way through a step leaves: a staging folder
        String prefix = bad.key().substring(0, StepRunner.PREFIX);
        Path leftover = work.resolve("bad").resolve("." + prefix + ".staging-1234");
        Files.createDirectories(leftover);
        Files.writeString(leftover.resolve("half.txt"), "half");
        Step good = new Step("bad", 1, Map.of("v", 1), List.of(), (out, l) -> {
            Files.writeString(out.resolve("whole.txt"), "whole");
            return Map.of();
        });
        assertEquals(bad.key(), good.key());
        try (StepRunner r = new StepRunner(work, Set.of(), log)) {
            assertFalse(Files.exists(leftover), "removed when the runner opens the work folder");
            StepOutcome o = r.run(good);
            assertEquals(StepOutcome.Status.BUILT, o.status());
            assertTrue(Files.isRegularFile(o.dir().resolve("whole.txt")));
            assertFalse(Files.exists(o.dir().resolve("half.txt")));
        }
    }

    @Test
    void keysAreCanonicalAndFollowVersionsAndOneRunnerHoldsAWorkFolder() throws IOException {
        Map<String, Object> p1 = new LinkedHashMap<>();
        p1.put("x", 1);
        p1.put("y", Map.of("b", 2.5, "a", List.of(1, 2)));
        Map<String, Object> p2 = new LinkedHashMap<>();
        p2.put("y", new java.util.TreeMap<>(Map.of("a", List.of(1, 2), "b", 2.5)));
        p2.put("x", 1);
        StepBody none = (out, l) -> Map.of();
        assertEquals(new Step("s", 1, p1, List.of(), none).key(), new Step("s", 1, p2, List.of(), none).key());
        assertNotEquals(new Step("s", 1, p1, List.of(), none).key(), new Step("s", 2, p1, List.of(), none).key());
        assertNotEquals(new Step("s", 1, p1, List.of(), none).key(), new Step("t", 1, p1, List.of(), none).key());
        assertThrows(IllegalArgumentException.class, () -> new Step("Bad Name", 1, p1, List.of(), none));
        Path work = tmp.resolve("locked");
        try (StepRunner r = new StepRunner(work, Set.of(), log)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> new StepRunner(work, Set.of(), log));
            assertTrue(e.getMessage().contains("another saelab demo"), e.getMessage());
        }
        new StepRunner(work, Set.of(), log).close();
    }
}
