package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import saelab.cli.CliRun.Result;

/**
 * {@code saelab bench vlm} prints its settings, then {@code prefill tokens/s: N} and {@code decode tokens/s: N} last (the peer
 * script's lines); bad shapes and lengths get one sentence and exit code 2.
 */
class BenchVlmCliTest {

    private static final String[] TINY = {"bench", "vlm", "--width", "32", "--layers", "2", "--heads", "4", "--kv-heads", "2", "--mlp",
            "48", "--vocab", "50", "--prompt", "12", "--new", "3", "--threads", "1"};

    @Test
    void printsTheSettingsAndBothFiguresLast() {
        Result r = CliRun.run(TINY);
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.equals("saelab lm width 32 layers 2 heads 4/2 mlp 48 vocab 50 prompt 12 new 3 threads 1")),
                r.out());
        assertTrue(lines.get(lines.size() - 2).matches("prefill tokens/s: [0-9]+\\.[0-9]"), r.out());
        assertTrue(lines.getLast().matches("decode tokens/s: [0-9]+\\.[0-9]{2}"), r.out());
    }

    @Test
    void headsThatAreNotWholeGroupsOfKeyValueHeadsAreRefused() {
        Result r = run("--kv-heads", "3");
        assertEquals(2, r.code(), r.out());
        assertEquals("saelab bench vlm: error: --heads 4 is not a multiple of --kv-heads 3; expected whole groups of query heads per"
                + " key/value head", r.err().strip());
    }

    @Test
    void zeroNewTokensAreRefused() {
        Result r = run("--new", "0");
        assertEquals(2, r.code(), r.out());
        assertEquals("saelab bench vlm: error: --new is 0; expected a positive whole number", r.err().strip());
    }

    @Test
    void zeroThreadsAreRefused() {
        Result r = run("--threads", "0");
        assertEquals(2, r.code(), r.out());
        assertEquals("saelab bench vlm: error: --threads is 0; expected a positive whole number", r.err().strip());
    }

    @Test
    void anOddHeadWidthIsRefused() {
        Result r = run("--width", "36");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().strip().startsWith("saelab bench vlm: error: --width 36 is not a multiple of --heads 4 with an even quotient"),
                r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void aShapeLargerThanTheMachinesMemoryIsRefusedBeforeAnythingIsAllocated() {
        Result r = run("--width", "65536", "--vocab", "2000000000");
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().strip().matches("saelab bench vlm: error: the model's [0-9,]+ parameters need [0-9.]+ GB of float32, more than half"
                + " of this machine's [0-9.]+ GB of memory; expected a smaller shape"), r.err());
    }

    /** The tiny command with the values of some of its options replaced ({@code --option value} pairs). */
    private static Result run(String... overrides) {
        String[] args = TINY.clone();
        for (int o = 0; o < overrides.length; o += 2) {
            int at = List.of(args).indexOf(overrides[o]);
            assertTrue(at > 0, overrides[o]);
            args[at + 1] = overrides[o + 1];
        }
        return CliRun.run(args);
    }
}
