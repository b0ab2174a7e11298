package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.data.PlantedDictionary;
import saelab.io.Json;
import saelab.io.Npy;

/** {@code saelab eval}: metrics of a trained SAE on a matrix of activations, with a row limit and width checks. */
class EvalCliTest {

    private static final int D = 8;

    @TempDir
    Path dir;

    @Test
    void evaluatesAnSaeOnAMatrixAndHonoursTheRowLimit() throws Exception {
        PlantedDictionary dict = PlantedDictionary.random(D, 12, 5);
        Path x = dir.resolve("x.npy");
        Npy.writeFloatMatrix(x, 300, D, dict.sample(300, 2, PlantedDictionary.AtomFrequency.POWER_LAW, 0.01, 6).x());
        Path sae = dir.resolve("sae");
        CliRun.Result t = CliRun.run("train", "--input", x.toString(), "--d-sae", "16", "--sae", "topk", "--k", "2", "--lr", "1e-3",
                "--warmup", "5", "--batch", "32", "--steps", "30", "--out", sae.toString());
        assertEquals(0, t.code(), t.err());

        Path out = dir.resolve("eval");
        CliRun.Result e = CliRun.run("eval", "--sae", sae.resolve("sae.safetensors").toString(), "--input", x.toString(), "--batch", "64",
                "--out", out.toString());
        assertEquals(0, e.code(), e.err());
        JsonNode m = Json.mapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals(300, m.get("rows").asLong());
        assertEquals(x.toAbsolutePath().toString(), m.get("input").asText());
        assertTrue(m.get("l0").asDouble() > 0 && m.get("l0").asDouble() <= 2.0 + 1e-9, "TopK k 2: L0 " + m.get("l0"));
        double nmse = m.get("normalized_mse").asDouble();
        assertEquals(1.0 - nmse, m.get("explained_variance").asDouble(), 1e-9);
        List<String> latents = Files.readAllLines(out.resolve("latents.csv"));
        assertEquals("latent,frequency,mean_value", latents.getFirst());
        assertEquals(1 + 16, latents.size());
        double freqSum = latents.subList(1, latents.size()).stream().mapToDouble(l -> Double.parseDouble(l.split(",")[1])).sum();
        assertEquals(m.get("l0").asDouble(), freqSum, 1e-6, "the frequencies sum to L0");
        assertEquals(16, Npy.readFloatMatrix(out.resolve("latents.npy")).rows());

        CliRun.Result limited = CliRun.run("eval", "--sae", sae.resolve("sae.safetensors").toString(), "--input", x.toString(),
                "--batch", "64", "--max-rows", "100", "--out", dir.resolve("eval100").toString());
        assertEquals(0, limited.code(), limited.err());
        assertEquals(100, Json.mapper().readTree(dir.resolve("eval100/metrics.json").toFile()).get("rows").asLong());

        Path wide = dir.resolve("wide.npy");
        Npy.writeFloatMatrix(wide, 4, D + 1, new float[4 * (D + 1)]);
        CliRun.Result bad = CliRun.run("eval", "--sae", sae.resolve("sae.safetensors").toString(), "--input", wide.toString(),
                "--out", dir.resolve("bad").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("wide.npy") && bad.err().contains("width 9") && bad.err().contains("d_model 8"), bad.err());
    }
}
