package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.image.ImageDecoder;
import saelab.intervene.MoondreamFixtures;
import saelab.lm.moondream.MoondreamModel;
import saelab.model.Golden;
import saelab.store.ActivationCache;
import saelab.store.RecordedLayer;

/**
 * A moondream2 folder is a capture model like any other: {@code saelab capture --layers projection} records its projection
 * input (27 × 27 tokens of width 2 · enc_dim, what its language model reads through the projection), equal to what the
 * model computes for the same image (an unreadable image is skipped and named by its path in the dataset);
 * {@code saelab train} trains an SAE on the cache, and {@code saelab vlm ask} edits moondream's answers through it. Other
 * layers or a class token are one sentence.
 */
class CaptureMoondreamCliTest {

    @TempDir
    Path tmp;

    @Test
    void theProjectionInputIsCapturedTrainedOnAndEditedThrough() throws Exception {
        Path model = MoondreamFixtures.folder(tmp.resolve("moondream"));
        Path images = Files.createDirectories(tmp.resolve("images/a"));
        Path png = Golden.dir("moondream").resolve("image.png");
        for (int i = 0; i < 3; i++) {
            Files.copy(png, images.resolve("img" + i + ".png"));
        }
        Files.write(images.resolve("img3.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3}); // truncated: skipped and counted
        Path cache = tmp.resolve("cache");
        CliRun.Result cap = CliRun.run("capture", "--model", model.toString(), "--dataset", "folder:" + tmp.resolve("images"), "--layers",
                "projection", "--tokens", "patches", "--dtype", "f32", "--batch", "2", "--out", cache.toString());
        assertEquals(0, cap.code(), cap.err());
        assertTrue(cap.err().contains("skipped a/img3.png: ") && !cap.err().contains(tmp.toString() + "/images/a/img3.png"), cap.err());
        try (ActivationCache c = ActivationCache.open(cache); MoondreamModel m = MoondreamModel.load(model)) {
            assertEquals(3, c.nImages());
            assertEquals(List.of(RecordedLayer.PROJECTION), c.layers());
            assertEquals(729, c.tokens().patches());
            assertEquals(false, c.tokens().cls());
            assertEquals(24, c.dModel(), "2 x enc_dim 12");
            float[] want;
            var crops = m.vision().crops(ImageDecoder.decode(png));
            try (ai.djl.ndarray.NDManager nd = ai.djl.ndarray.NDManager.newBaseManager()) {
                want = m.vision().stitch(m.vision().encode(crops.normalised(nd)), crops.tiling()).projectionInput().toFloatArray();
            }
            for (int t = 0; t < 729; t += 97) {
                assertArrayEquals(java.util.Arrays.copyOfRange(want, t * 24, (t + 1) * 24), c.read(2, RecordedLayer.PROJECTION, t), 1e-6f,
                        "token " + t + ": the cache holds what the model's projection reads");
            }
        }
        Path sae = tmp.resolve("sae");
        CliRun.Result train = CliRun.run("train", "--cache", cache.toString(), "--layer", "projection", "--d-sae", "48", "--steps", "4",
                "--batch", "256", "--warmup", "1", "--out", sae.toString());
        assertEquals(0, train.code(), train.err());
        Path edit = tmp.resolve("edit.json");
        Files.writeString(edit, "{\"tokens\": \"all_patches\", \"latents\": [0, 1, 2], \"operation\": \"ablate\"}");
        CliRun.Result ask = CliRun.run("vlm", "ask", "--model", model.toString(), "--image", png.toString(), "--question", "w17 w42 w8",
                "--sae", sae.resolve("sae.safetensors").toString(), "--edit", edit.toString(), "--samples", "2", "--max-tokens", "4");
        assertEquals(0, ask.code(), ask.err());
        assertTrue(ask.out().contains("after the edit") && ask.out().contains("changed pairs (same seed)"), ask.out());

        CliRun.Result block = CliRun.run("capture", "--model", model.toString(), "--dataset", "folder:" + tmp.resolve("images"), "--layers",
                "3", "--tokens", "patches", "--out", tmp.resolve("c2").toString());
        assertEquals(2, block.code());
        assertTrue(block.err().contains("a moondream2 model is captured at its projection input only; expected --layers projection"),
                block.err());
        CliRun.Result cls = CliRun.run("capture", "--model", model.toString(), "--dataset", "folder:" + tmp.resolve("images"), "--layers",
                "projection", "--tokens", "cls,patches", "--out", tmp.resolve("c3").toString());
        assertEquals(2, cls.code());
        assertTrue(cls.err().contains("has patch tokens only"), cls.err());
    }
}
