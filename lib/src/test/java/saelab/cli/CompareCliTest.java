package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import ai.djl.ndarray.NDManager;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.analysis.AnalysisResult;
import saelab.analysis.DensityView;
import saelab.analysis.LabelStatistics;
import saelab.analysis.SparseCodes;
import saelab.io.Verbosity;
import saelab.notebook.Analyses;
import saelab.plot.ChartFigure;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;
import saelab.store.StorageDtype;
import saelab.store.SyntheticCache;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import saelab.io.Json;

/**
 * {@code saelab compare} end to end: an SAE's codes compared with themselves match every live latent to itself with
 * r = 1 (mutual, no latent without a counterpart); bad inputs get one sentence and exit code 2.
 */
class CompareCliTest {

    @TempDir
    Path dir;

    private Path codes() throws Exception {
        Path ckpt = dir.resolve("sae.safetensors");
        SaeConfig cfg = SaeConfig.builder(SaeKind.TOPK, 16, 64).k(4).lr(1e-3).batchSize(32).steps(10).seed(3).build();
        try (NDManager nd = NDManager.newBaseManager(); Sae sae = Sae.initialise(cfg, nd)) {
            SaeCheckpoint.write(ckpt, sae, Map.of());
        }
        Path cache = dir.resolve("cache");
        SyntheticCache.write(cache, 24, 17, 16, StorageDtype.F32, 1, 5, 7, 1L << 20, Verbosity.QUIET);
        Path out = dir.resolve("analysis");
        CliRun.Result r = CliRun.run("analyze", "--sae", ckpt.toString(), "--cache", cache.toString(), "--out", out.toString(), "--k", "4",
                "--batch", "64", "--codes");
        assertEquals(0, r.code(), r.err());
        return out;
    }

    @Test
    void anSaeComparedWithItselfMatchesEveryLiveLatentToItself() throws Exception {
        Path a = codes();
        Path out = dir.resolve("cmp");
        CliRun.Result r = CliRun.run("compare", "--a", a.toString(), "--b", a.resolve("codes").toString(), "--names", "x,y", "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode s = Json.mapper().readTree(out.resolve("summary.json").toFile());
        int live = s.get("a").get("live").asInt();
        assertTrue(live > 0);
        assertEquals(live, s.get("mutual_pairs").asInt());
        assertEquals(0.0, s.get("a").get("no_counterpart_share").get("0.7").asDouble());
        List<String> rows = Files.readAllLines(out.resolve("matches-a.csv"));
        assertEquals("latent,fires,best,r,second_r,mutual", rows.getFirst());
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",", -1);
            if (!f[1].equals("0")) {
                assertEquals(f[0], f[2], row);
                assertEquals(1.0, Double.parseDouble(f[3]), 1e-5, row);
            } else {
                assertEquals("-1", f[2], "a latent that never fired has no match: " + row);
            }
        }
    }

    @Test
    void badInputsGetOneSentence() throws Exception {
        Path a = codes();
        String[][] cases = {
                {"--a", dir.resolve("nowhere").toString(), "--b", a.toString(), "--out", dir.resolve("o1").toString()},
                {"--a", a.toString(), "--b", a.toString(), "--unit", "pixel", "--out", dir.resolve("o2").toString()},
                {"--a", a.toString(), "--b", a.toString(), "--names", "only", "--out", dir.resolve("o3").toString()},
                {"--a", a.toString(), "--b", a.toString(), "--max-table-mib", "0", "--out", dir.resolve("o4").toString()},
        };
        String[] expected = {"holds no codes.json", "--unit is 'pixel'; expected patch or image", "--names holds 1 names",
                "--max-table-mib is 0"};
        for (int i = 0; i < cases.length; i++) {
            String[] args = new String[cases[i].length + 1];
            args[0] = "compare";
            System.arraycopy(cases[i], 0, args, 1, cases[i].length);
            CliRun.Result r = CliRun.run(args);
            assertEquals(2, r.code(), String.join(" ", args));
            assertTrue(r.err().contains(expected[i]), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }
}
