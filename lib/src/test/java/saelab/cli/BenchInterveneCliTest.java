package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import saelab.cli.CliRun.Result;

/** {@code saelab bench intervene} prints both paths and {@code edits/s: N} last; bad shapes get one sentence and exit code 2. */
class BenchInterveneCliTest {

    @Test
    void printsBothPathsAndEditsPerSecondLast() {
        Result r = CliRun.run("bench", "intervene", "--width", "32", "--heads", "4", "--tokens", "17", "--d-sae", "64", "--classes", "5",
                "--latents", "2", "--edits", "2", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("full (encode, overwrite, decode, add error) edits/s: ")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("delta (x + sum (v - f) W_dec) edits/s: ")), r.out());
        assertTrue(lines.getLast().matches("edits/s: [0-9.]+"), r.out());
    }

    @Test
    void aTokenCountWithoutASquareGridIsRefused() {
        Result r = CliRun.run("bench", "intervene", "--width", "32", "--heads", "4", "--tokens", "20", "--d-sae", "64", "--edits", "1");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("tokens is 20; expected CLS + a square grid of patches"), r.err());
    }
}
