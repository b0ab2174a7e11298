package saelab.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sweep files: grid expansion, listed runs, base overrides, names, and errors naming the file and key. */
class SweepSpecTest {

    @TempDir
    Path dir;

    private static final SaeConfig BASE = SaeConfig.builder(SaeKind.RELU, 16, 64).l1(4e-4).k(8).lr(1e-3).warmupSteps(10)
            .batchSize(32).steps(100).seed(3).build();

    private List<SweepSpec.Run> read(String json) throws IOException {
        Path f = dir.resolve("sweep.json");
        Files.writeString(f, json);
        return SweepSpec.read(f, BASE);
    }

    @Test
    void gridIsTheCartesianProductOverBase() throws IOException {
        List<SweepSpec.Run> runs = read("{\"base\": {\"lr\": 3e-3}, \"grid\": {\"l1\": [1e-4, 2e-4], \"expansion\": [2, 8]}}");
        assertEquals(List.of("l1=1.0e-4,expansion=2", "l1=1.0e-4,expansion=8", "l1=2.0e-4,expansion=2", "l1=2.0e-4,expansion=8"),
                runs.stream().map(SweepSpec.Run::name).toList());
        SaeConfig c = runs.get(1).config();
        assertEquals(1e-4, c.l1());
        assertEquals(128, c.dSae());
        assertEquals(3e-3, c.lr(), "base override");
        assertEquals(32, c.batchSize(), "from the command line");
        assertEquals(3, c.seed());
    }

    @Test
    void listedRunsKeepTheirNamesAndOptions() throws IOException {
        List<SweepSpec.Run> runs = read("{\"runs\": [{\"name\": \"tk\", \"kind\": \"topk\", \"k\": 4, \"aux_k\": 8,"
                + " \"dead_tokens\": 1000}, {\"kind\": \"jumprelu\", \"l1\": 1e-2}]}");
        assertEquals("tk", runs.get(0).name());
        assertEquals(SaeKind.TOPK, runs.get(0).config().kind());
        assertEquals(8, runs.get(0).config().auxK());
        assertEquals("kind=jumprelu,l1=0.01", runs.get(1).name());
        assertEquals(SaeKind.JUMPRELU, runs.get(1).config().kind());
    }

    private void rejected(String json, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(json));
        assertTrue(e.getMessage().contains("sweep.json"), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void mistakesAreNamed() {
        rejected("{\"grid\": {\"l2\": [1]}}", "unknown key 'l2'");
        rejected("{\"runs\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}", "two runs are named 'a'");
        rejected("{\"runs\": [{\"name\": \"../x\"}]}", "plain folder name");
        rejected("{\"grid\": {\"l1\": []}}", "grid.l1");
        rejected("{\"runs\": [{\"kind\": \"topk\", \"k\": 0}]}", "needs 0 < k");
        rejected("{\"runs\": [{\"d_model\": 3}]}", "d_model");
        rejected("{}", "no runs");
        rejected("{\"sweep\": 1}", "unknown top-level key 'sweep'");
        rejected("{oops", "not valid JSON");
    }
}
