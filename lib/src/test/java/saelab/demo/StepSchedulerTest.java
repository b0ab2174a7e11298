package saelab.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The step graph scheduler: a reads nothing; b and c read a; d reads b and c; e reads nothing. Bodies write text from
 * their inputs' files, so a step that started before its inputs finished would fail to read them.
 */
class StepSchedulerTest {

    @TempDir
    Path tmp;

    private final List<String> order = Collections.synchronizedList(new ArrayList<>());
    private final PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    private StepScheduler.Node node(String id, List<String> after, StepBody extra) {
        return new StepScheduler.Node(id, after, done -> {
            List<StepOutcome> inputs = after.stream().map(done::get).toList();
            return new Step(id, 1, Map.of("id", id), inputs, (out, l) -> {
                order.add("start " + id);
                if (extra != null) {
                    extra.build(out, l);
                }
                StringBuilder text = new StringBuilder(id);
                for (StepOutcome in : inputs) {
                    text.append("(").append(Files.readString(in.dir().resolve("out.txt"))).append(")");
                }
                Files.writeString(out.resolve("out.txt"), text.toString());
                order.add("end " + id);
                return Map.of();
            });
        });
    }

    private List<StepScheduler.Node> graph(StepBody onB, StepBody onC) {
        return List.of(node("a", List.of(), null), node("b", List.of("a"), onB), node("c", List.of("a"), onC),
                node("d", List.of("b", "c"), null), node("e", List.of(), null));
    }

    private Map<String, StepOutcome> run(Path work, int jobs, List<StepScheduler.Node> nodes) throws IOException {
        try (StepRunner r = new StepRunner(work, Set.of(), log)) {
            r.expect(nodes.size());
            return StepScheduler.run(nodes, r, jobs);
        }
    }

    @Test
    void oneJobRunsTheListInOrder() throws IOException {
        Map<String, StepOutcome> out = run(tmp.resolve("w"), 1, graph(null, null));
        assertEquals(List.of("start a", "end a", "start b", "end b", "start c", "end c", "start d", "end d", "start e", "end e"), order);
        assertEquals(List.of("a", "b", "c", "d", "e"), List.copyOf(out.keySet()));
        assertEquals("d(b(a))(c(a))", Files.readString(out.get("d").dir().resolve("out.txt")));
    }

    @Test
    void twoJobsRunIndependentStepsTogetherAndWriteTheSameOutputs() throws Exception {
        // b and c each wait until the other has started: this finishes only if they run at the same time
        CountDownLatch both = new CountDownLatch(2);
        StepBody meet = (out, l) -> {
            both.countDown();
            assertTrue(both.await(30, TimeUnit.SECONDS), "b and c never ran at the same time");
            return Map.of();
        };
        Map<String, StepOutcome> two = run(tmp.resolve("two"), 2, graph(meet, meet));
        Map<String, StepOutcome> one = run(tmp.resolve("one"), 1, graph(null, null));
        assertEquals(List.copyOf(one.keySet()), List.copyOf(two.keySet()), "outcomes in list order");
        for (String id : one.keySet()) {
            assertEquals(one.get(id).key(), two.get(id).key(), id);
            assertEquals(Files.readString(one.get(id).dir().resolve("out.txt")), Files.readString(two.get(id).dir().resolve("out.txt")), id);
        }
        assertTrue(order.indexOf("start d") > order.indexOf("end b") && order.indexOf("start d") > order.indexOf("end c"),
                "d started before its inputs finished: " + order);
    }

    @Test
    void neverMoreStepsAtOnceThanJobs() throws IOException {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<StepScheduler.Node> nodes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            nodes.add(node("s" + i, List.of(), (out, l) -> {
                most.accumulateAndGet(now.incrementAndGet(), Math::max);
                Thread.sleep(20);
                now.decrementAndGet();
                return Map.of();
            }));
        }
        run(tmp.resolve("w"), 3, nodes);
        assertTrue(most.get() <= 3, "ran " + most.get() + " at once");
    }

    @Test
    void aFailureStopsNewStepsLetsRunningOnesFinishAndIsThrown() throws IOException {
        CountDownLatch cStarted = new CountDownLatch(1);
        StepBody failAfterC = (out, l) -> {
            cStarted.await(30, TimeUnit.SECONDS);
            throw new IllegalStateException("b broke");
        };
        StepBody slowC = (out, l) -> {
            cStarted.countDown();
            Thread.sleep(200);
            return Map.of();
        };
        Path work = tmp.resolve("w");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(work, 2, graph(failAfterC, slowC)));
        assertEquals("b broke", e.getMessage());
        assertTrue(order.contains("end c"), "c, running when b failed, finished: " + order);
        assertFalse(order.contains("start d"), "d reads b and must not start: " + order);
        assertTrue(Files.isDirectory(work.resolve("c")), "c's finished output is kept");
        assertFalse(Files.exists(work.resolve("b")) && hasStep(work.resolve("b")), "b left no output");
    }

    @Test
    void aNodeReadingALaterOneIsRefused() {
        List<StepScheduler.Node> nodes = List.of(node("a", List.of("b"), null), node("b", List.of(), null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(tmp.resolve("w"), 2, nodes));
        assertEquals("step a reads step b, which is not listed before it", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> run(tmp.resolve("w2"), 0, List.of()));
    }

    private static boolean hasStep(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().equals(StepRunner.STEP_FILE));
        }
    }
}
