package saelab.cli;

import static saelab.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import saelab.cli.CliRun.Result;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.io.Safetensors;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;

class SaeImportCliTest {

    @TempDir
    Path dir;

    private static Path fixture(String name) throws URISyntaxException {
        URL u = SaeImportCliTest.class.getResource("/saelab/sae/import/" + name);
        assertNotNull(u, "test resource saelab/sae/import/" + name);
        return Path.of(u.toURI());
    }

    @Test
    void importsAPaperEraSaePt() throws Exception {
        Path out = dir.resolve("paper").resolve("sae.safetensors");
        Result r = run("sae", "import", fixture("saev-paper-relu.pt").toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.out().strip().lines().count(), r.out());
        assertTrue(r.out().contains("kind relu, d_model 4, d_sae 8, encoder input centered"), r.out());
        assertTrue(r.out().contains("saev-sae.pt") && r.out().contains(out.toString()), r.out());
        assertEquals(SaeConfig.inference(SaeKind.RELU, 4, 8, 0, "centered"), SaeCheckpoint.config(out));
        assertEquals("saev-sae.pt", SaeCheckpoint.provenance(out).get("source_format").asText());
        Safetensors.Contents c = Safetensors.read(out);
        assertEquals(-1.2f, c.require(out, "W_enc", 4, 8).values()[0], "W_enc[0, 0] = (0 - 12) / 10");
    }

    @Test
    void importsASaeLensFolder() throws Exception {
        Path out = dir.resolve("topk.safetensors");
        Result r = run("sae", "import", fixture("saelens-topk").toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("kind topk (k 2), d_model 4, d_sae 8, encoder input raw"), r.out());
        assertEquals(SaeConfig.inference(SaeKind.TOPK, 4, 8, 2, "raw"), SaeCheckpoint.config(out));
        Path saev = dir.resolve("topk-from-saev.safetensors");
        assertEquals(0, run("sae", "import", fixture("saev-topk.pt").toString(), "--out", saev.toString()).code());
        for (String t : new String[] {"W_enc", "b_enc", "W_dec", "b_dec"}) {
            assertTrue(Arrays.equals(Safetensors.read(out).tensors().get(t).values(), Safetensors.read(saev).tensors().get(t).values()), t);
        }
    }

    @Test
    void badInputIsAOneLineErrorAndWritesNothing() throws IOException {
        Path bad = dir.resolve("broken.pt");
        Files.writeString(bad, "{\"d_vit\": 4, \"exp_factor\": 2}\nnot a zip archive");
        Path out = dir.resolve("never.safetensors");
        Result r = run("sae", "import", bad.toString(), "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("error:") && r.err().contains(bad.toString()) && r.err().contains("not a zip archive"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void unknownSourceNamesBothLayouts() throws IOException {
        Path other = dir.resolve("weights.npy");
        Files.writeString(other, "x");
        Result r = run("sae", "import", other.toString(), "--out", dir.resolve("x.safetensors").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(other.toString()) && r.err().contains("sae.pt") && r.err().contains("SAELens folder"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void outMustBeGiven() throws Exception {
        Result r = run("sae", "import", fixture("saev-topk.pt").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--out"), r.err());
    }
}
