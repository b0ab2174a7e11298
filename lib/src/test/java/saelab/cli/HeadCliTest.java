package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.capture.CaptureOptions;
import saelab.capture.CapturePipeline;
import saelab.capture.TokenSelection;
import saelab.store.RecordedLayer;

/** {@code saelab capture --layers final,pooled} then {@code saelab head train|eval} end to end on the tiny golden DINOv2. */
class HeadCliTest {

    @TempDir
    Path tmp;

    @Test
    void captureTrainAndEvalRunEndToEndAndBadInputIsOneLine() throws Exception {
        Path model = CliFixtures.captureModel(tmp.resolve("model"));
        Path images = tmp.resolve("images");
        for (int i = 0; i < 8; i++) {
            Files.createDirectories(images.resolve("class" + (i % 2)));
            Files.write(images.resolve("class" + (i % 2)).resolve("img" + i + ".png"), CliFixtures.png(60 + i, 64, i));
        }
        Path cache = tmp.resolve("cache");
        CliRun.Result cap = CliRun.run("capture", "--model", model.toString(), "--dataset", "folder:" + images, "--layers", "1,final,pooled",
                "--tokens", "cls,patches", "--dtype", "f32", "--batch", "4", "--out", cache.toString());
        assertEquals(0, cap.code(), cap.err());

        Path head = tmp.resolve("heads/probe.safetensors");
        CliRun.Result train = CliRun.run("head", "train", "--kind", "classify", "--cache", cache.toString(), "--out", head.toString(),
                "--epochs", "2", "--val-fraction", "0.25");
        assertEquals(0, train.code(), train.err());
        assertTrue(Files.isRegularFile(head));
        assertTrue(train.err().contains("head train (classify): 12/12 (100%) images, "), train.err()); // progress with its rate

        Path eval = tmp.resolve("eval");
        CliRun.Result ev = CliRun.run("head", "eval", "--head", head.toString(), "--cache", cache.toString(), "--out", eval.toString());
        assertEquals(0, ev.code(), ev.err());
        assertTrue(Files.readString(eval.resolve("metrics.json")).contains("held-out images"));
        // the capture recorded the folder's class names, so the probe and its tables name the classes, not class-N
        assertTrue(Files.readString(eval.resolve("per-class.csv")).startsWith("class,name,top1,top5,images\n0,class0,"),
                Files.readString(eval.resolve("per-class.csv")));

        // the recorded final layer is named like a block by the commands that read one layer
        Path sae = tmp.resolve("sae-final");
        CliRun.Result onFinal = CliRun.run("train", "--cache", cache.toString(), "--layer", "final", "--sae", "topk", "--k", "4",
                "--d-sae", "32", "--steps", "3", "--batch", "16", "--out", sae.toString());
        assertEquals(0, onFinal.code(), onFinal.err());
        CliRun.Result evFinal = CliRun.run("eval", "--sae", sae.resolve("sae.safetensors").toString(), "--cache", cache.toString(),
                "--layer", "final", "--out", tmp.resolve("eval-final").toString());
        assertEquals(0, evFinal.code(), evFinal.err());
        CliRun.Result badLayer = CliRun.run("eval", "--sae", sae.resolve("sae.safetensors").toString(), "--cache", cache.toString(),
                "--layer", "last", "--out", tmp.resolve("eval-last").toString());
        assertEquals(2, badLayer.code());
        assertTrue(badLayer.err().strip().startsWith("saelab eval: error: ") && badLayer.err().contains("'last' is not a layer"),
                badLayer.err());

        CliRun.Result seg = CliRun.run("head", "train", "--kind", "segment", "--cache", cache.toString(), "--out", tmp.resolve("s").toString());
        assertEquals(2, seg.code());
        assertEquals("saelab head train: error: the cache " + cache + " has no patch labels; a segmentation head needs a capture of a"
                + " dataset with label maps (e.g. ADE20K)", seg.err().strip());
        CliRun.Result kind = CliRun.run("head", "train", "--kind", "regress", "--cache", cache.toString(), "--out", tmp.resolve("s").toString());
        assertEquals(2, kind.code());
        assertEquals("saelab head train: error: --kind is 'regress'; expected segment, classify or zeroshot", kind.err().strip());
        CliRun.Result layer = CliRun.run("capture", "--model", model.toString(), "--dataset", "folder:" + images, "--layers", "last",
                "--out", tmp.resolve("c2").toString());
        assertEquals(2, layer.code());
        assertTrue(layer.err().strip().endsWith("--layers: 'last' is not a layer; expected a 0-based block index, final, pooled or projection (moondream2)"), layer.err());
    }
}
