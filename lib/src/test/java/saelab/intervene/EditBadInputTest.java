package saelab.intervene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import saelab.model.ForwardBenchmark;
import saelab.model.VisionTower;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.sae.SaeConfig;
import saelab.sae.SaeKind;

/**
 * Edit specs round-trip through JSON in every token form, and bad input gets one sentence naming the field: an
 * unknown operation, unit, error policy or field, a missing value, a latent beyond d_sae, a block the model lacks, an
 * SAE whose d_model or recorded layer does not fit, a patch index outside the grid, class tokens without labels.
 */
class EditBadInputTest {

    private static NDManager weights;
    private static VisionTower tower;
    private static NDArray pixels;

    @TempDir
    Path tmp;

    @BeforeAll
    static void build() {
        weights = NDManager.newBaseManager();
        tower = ForwardBenchmark.syntheticDinov2(weights, 32, 3, 4, 4, 16, 5);
        pixels = weights.randomNormal(new Shape(1, 3, 16, 16));
    }

    @AfterAll
    static void free() {
        weights.close();
    }

    private static String message(Executable e) {
        String m = assertThrows(IllegalArgumentException.class, e).getMessage();
        assertEquals(1, m.lines().count(), "one line: " + m);
        return m;
    }

    @Test
    void specsRoundTripThroughJson() throws IOException {
        for (EditTokens t : new EditTokens[] {EditTokens.allPatches(), EditTokens.cls(), EditTokens.registers(), EditTokens.ofClass(12),
                EditTokens.patches(0, 3, 250)}) {
            EditSpec s = EditSpec.builder(EditOperation.SET).model("facebook/dinov2-base").block(10).tokens(t).latents(4031, 7).value(-2)
                    .unit(ValueUnit.MAX).analysis("runs/ade/analysis").error(ErrorPolicy.DROP).build();
            Path f = tmp.resolve("edit.json");
            s.write(f);
            assertEquals(s, EditSpec.read(f));
            assertEquals(s, EditSpec.parse(s.toJson()));
        }
        String json = EditSpec.builder(EditOperation.ABLATE).latents(3).tokens(EditTokens.patches(1, 2)).build().toJson();
        assertTrue(json.contains("\"tokens\" : [ 1, 2 ]") && json.contains("\"operation\" : \"ablate\"") && json.contains("\"unit\" : \"raw\"")
                && json.contains("\"error\" : \"keep\""), json);
        EditSpec minimal = EditSpec.parse("{\"tokens\": \"class:5\", \"latents\": [1], \"operation\": \"SCALE\", \"value\": 0.5}");
        assertEquals(EditTokens.ofClass(5), minimal.tokens());
        assertEquals(ValueUnit.RAW, minimal.unit());
        assertEquals(ErrorPolicy.KEEP, minimal.error());
        assertEquals(null, minimal.block());
    }

    @Test
    void badJsonGetsOneSentenceNamingTheField() throws IOException {
        String base = "\"tokens\": \"all_patches\", \"latents\": [1]";
        assertTrue(message(() -> EditSpec.parse("{" + base + ", \"operation\": \"boost\", \"value\": 1}"))
                .contains("operation is 'boost'; expected set, scale, add or ablate"));
        assertTrue(message(() -> EditSpec.parse("{" + base + ", \"operation\": \"set\", \"value\": 1, \"unit\": \"sigma\"}"))
                .contains("unit is 'sigma'; expected raw or max"));
        assertTrue(message(() -> EditSpec.parse("{" + base + ", \"operation\": \"set\", \"value\": 1, \"error\": \"ignore\"}"))
                .contains("error is 'ignore'; expected keep"));
        assertTrue(message(() -> EditSpec.parse("{" + base + ", \"operation\": \"set\", \"value\": 1, \"gamma\": 2}"))
                .contains("unknown field 'gamma'"));
        assertTrue(message(() -> EditSpec.parse("{" + base + ", \"operation\": \"set\"}")).contains("value is null; operation set needs a finite number"));
        assertTrue(message(() -> EditSpec.parse("{" + base + ", \"operation\": \"ablate\", \"value\": 3}")).contains("ablate takes no value"));
        assertTrue(message(() -> EditSpec.parse("{\"tokens\": \"everything\", \"latents\": [1], \"operation\": \"ablate\"}"))
                .contains("tokens is 'everything'; expected"));
        assertTrue(message(() -> EditSpec.parse("{\"tokens\": [1, \"x\"], \"latents\": [1], \"operation\": \"ablate\"}"))
                .contains("tokens holds \"x\""));
        assertTrue(message(() -> EditSpec.parse("{\"tokens\": \"cls\", \"latents\": [1, 1], \"operation\": \"ablate\"}"))
                .contains("latents holds 1 twice"));
        assertTrue(message(() -> EditSpec.parse("{\"tokens\": \"cls\", \"latents\": [2], \"operation\": \"scale\", \"value\": 2, \"unit\": \"max\","
                + " \"analysis\": \"a\"}")).contains("unit is max; operation scale takes a plain factor"));
        assertTrue(message(() -> EditSpec.parse("{\"tokens\": \"cls\", \"latents\": [2], \"operation\": \"set\", \"value\": 2, \"unit\": \"max\"}"))
                .contains("analysis is missing"));
        Path file = tmp.resolve("bad.json");
        Files.writeString(file, "{" + base + ", \"operation\": \"boost\", \"value\": 1}");
        String m = message(() -> EditSpec.read(file));
        assertTrue(m.startsWith("edit spec " + file + ": operation is 'boost'"), m);
        assertTrue(message(() -> EditSpec.read(tmp.resolve("absent.json"))).contains("does not exist"));
    }

    @Test
    void editsThatDoNotFitTheModelOrSaeAreRefused() {
        try (NDManager nd = NDManager.newBaseManager(); Sae sae = Sae.initialise(SaeConfig.builder(SaeKind.RELU, 32, 64).build(), nd);
             Sae narrow = Sae.initialise(SaeConfig.builder(SaeKind.RELU, 16, 64).build(), nd);
             EditSession s = EditSession.open(tower, sae, 1, pixels, null)) {
            LatentEdit beyond = EditSpec.builder(EditOperation.SET).latents(64).value(1).build().resolve(null);
            assertTrue(message(() -> s.residual(beyond, SpliceForm.DELTA, nd)).contains("latent 64 is outside the SAE's d_sae=64 latents"));
            assertTrue(message(() -> s.residual(beyond, SpliceForm.FULL, nd)).contains("latent 64 is outside"));
            assertTrue(message(() -> EditSession.open(tower, sae, 3, pixels, null)).contains("block 3 is outside the model's 3 blocks"));
            assertTrue(message(() -> EditSession.open(tower, narrow, 1, pixels, null))
                    .contains("the SAE reads d_model=16 activations but the model's width is 32"));
            LatentEdit outside = EditSpec.builder(EditOperation.SET).latents(1).value(1).tokens(EditTokens.patches(2, 16)).build().resolve(null);
            assertTrue(message(() -> s.residual(outside, SpliceForm.DELTA, nd))
                    .contains("patch index 16, outside the 4 x 4 patch grid (0-based raster indices 0..15)"));
            LatentEdit classTokens = EditSpec.builder(EditOperation.ABLATE).latents(1).tokens(EditTokens.ofClass(3)).build().resolve(null);
            assertTrue(message(() -> s.residual(classTokens, SpliceForm.DELTA, nd)).contains("need the image's per-patch labels"));
            LatentEdit registers = EditSpec.builder(EditOperation.ABLATE).latents(1).tokens(EditTokens.registers()).build().resolve(null);
            assertTrue(message(() -> s.residual(registers, SpliceForm.DELTA, nd)).contains("this model has no register tokens"));
            LatentEdit otherBlock = EditSpec.builder(EditOperation.ABLATE).latents(1).block(2).build().resolve(null);
            assertTrue(message(() -> s.residual(otherBlock, SpliceForm.DELTA, nd)).contains("the edit is for block 2 but this session caches block 1"));
            assertTrue(message(() -> EditSession.open(tower, sae, 1, pixels, new int[2][16])).contains("labels are given for 2 images; expected 1"));
        }
    }

    @Test
    void theBlockDefaultsToTheSaesLayerAndMustFitTheModel() throws IOException {
        Path file = tmp.resolve("sae.safetensors");
        try (NDManager nd = NDManager.newBaseManager(); Sae sae = Sae.initialise(SaeConfig.builder(SaeKind.RELU, 32, 64).build(), nd)) {
            SaeCheckpoint.write(file, sae, Map.of("layer", 5));
            EditSpec spec = EditSpec.builder(EditOperation.ABLATE).latents(1).build();
            int block = spec.resolveBlock(file);
            assertEquals(5, block);
            assertTrue(message(() -> EditSession.open(tower, sae, block, pixels, null)).contains("block 5 is outside the model's 3 blocks"));
            String m = message(() -> spec.toBuilder().block(1).build().resolveBlock(file));
            assertTrue(m.contains("records layer 5") && m.contains("the edit's block is 1"), m);
        }
    }
}
