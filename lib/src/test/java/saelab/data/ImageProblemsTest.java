package saelab.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Thread-safe collection, the two policies, and the summary. */
class ImageProblemsTest {

    @Test
    void collectsFromManyThreadsInADeterministicOrder() throws InterruptedException {
        ImageProblems p = new ImageProblems(ProblemPolicy.SKIP_AND_COUNT);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int id = t;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 500; i++) {
                    p.report(String.format("img-%d-%03d.jpg", id, i), "corrupt JPEG");
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(4000, p.count());
        List<ImageProblems.Problem> list = p.list();
        assertEquals(4000, list.size());
        assertEquals("img-0-000.jpg", list.getFirst().path());
        assertEquals("img-7-499.jpg", list.getLast().path());
        String s = p.summary();
        assertTrue(s.startsWith("4000 image problems:\n  img-0-000.jpg: corrupt JPEG"), s);
        assertEquals(ImageProblems.SHOWN + 2, s.lines().count());
        assertTrue(s.endsWith("... and 3980 more"), s);
        p.stopIfAny("capture"); // no effect under SKIP_AND_COUNT
    }

    @Test
    void stopPolicyThrowsNamingThePath() {
        ImageProblems p = new ImageProblems(ProblemPolicy.STOP);
        assertEquals("no image problems", p.summary());
        p.stopIfAny("x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.report("a/b.jpg", "zero bytes"));
        assertTrue(e.getMessage().startsWith("a/b.jpg: zero bytes"), e.getMessage());
        assertEquals(1, p.count());
        p.add("c.png", "missing");
        e = assertThrows(IllegalArgumentException.class, () -> p.stopIfAny("building the manifest"));
        assertTrue(e.getMessage().startsWith("building the manifest: 2 image problems:\n  a/b.jpg: zero bytes\n  c.png: missing"),
                e.getMessage());
    }
}
