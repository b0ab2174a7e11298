package saelab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.heads.FinalFeatures;
import saelab.heads.HeadKind;
import saelab.heads.HeadProvenance;
import saelab.heads.LinearHead;
import saelab.image.Preprocessor;
import saelab.io.Json;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.model.VisionOutput;
import saelab.model.VisionTower;
import saelab.store.RecordedLayer;

/**
 * {@code saelab head eval --model --dataset --resolution pixel} end to end on the tiny golden DINOv2 (width 32, 14 px
 * patches, 64 px images resized to short edge 64 and centre-cropped to 56, so a 4 x 4 patch grid) and a small ADE20K
 * folder, against figures recomputed here without the library's evaluation: the head's logits from the tower's
 * final-normed patch tokens in doubles, bilinear upsampling (align_corners=False) written out per axis, the label map
 * cropped by hand (a 64 px side is not resized: pixel (y, x) of the crop is pixel (4 + y, 4 + x) of the map), each
 * patch's majority label counted here, and mmsegmentation's mIoU with the background ignored.
 */
class HeadPixelEvalCliTest {

    private static final int D = 32;
    private static final int CLASSES = 3;
    private static final int SIDE = 56;
    private static final int OFFSET = 4;
    private static final int PATCH = 14;
    private static final int GRID = 4;
    /** The head's seed: chosen so that no pixel's two best logits are within 1e-4 (checked by the test). */
    private static final long SEED = 3;

    @TempDir
    Path tmp;

    @Test
    void pixelAndPatchFiguresMatchAnIndependentRecomputation() throws Exception {
        Path model = CliFixtures.captureModel(tmp.resolve("model"));
        Path root = tmp.resolve("ade");
        List<Path> images = ade20k(root, 4, 0);
        String sha = HeadProvenance.modelOf("m", model).weightsSha256();
        LinearHead head = randomHead(HeadKind.SEGMENT, RecordedLayer.FINAL, "m", sha);
        Path headFile = tmp.resolve("seg.safetensors");
        head.save(headFile);

        Path out = tmp.resolve("eval");
        CliRun.Result r = CliRun.run("head", "eval", "--head", headFile.toString(), "--model", model.toString(), "--dataset",
                "ade20k:" + root, "--split", "val", "--resolution", "pixel", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode m = Json.mapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals(4, m.get("n_images").asInt());
        assertEquals(0, m.get("skipped").asInt());
        assertEquals("all images", m.get("images").asText());
        JsonNode pixel = m.get("pixel_metrics");
        JsonNode patch = m.get("metrics");
        assertEquals("pixel", pixel.get("resolution").asText());
        assertEquals("patch", patch.get("resolution").asText());
        assertEquals(4 * SIDE * SIDE, pixel.get("pixels").asLong());
        assertEquals(4 * GRID * GRID, patch.get("patches").asLong());

        Expected want = expected(model, images, head);
        assertEquals(0, want.nearTies(), "the fixture has no pixel whose two best logits are within 1e-4 (a float/double tie)");
        assertEquals(want.pixel().miou(), pixel.get("miou").asDouble(), 1e-9);
        assertEquals(want.pixel().accuracy(), pixel.get("pixel_accuracy").asDouble(), 1e-9);
        assertEquals(want.patch().miou(), patch.get("miou").asDouble(), 1e-9);
        assertEquals(want.patch().accuracy(), patch.get("patch_accuracy").asDouble(), 1e-9);
        // the per-pixel and per-patch figures differ on this fixture (the background rows sit inside the top patches)
        assertTrue(Math.abs(pixel.get("miou").asDouble() - patch.get("miou").asDouble()) > 1e-3, m.toString());

        List<String> csv = Files.readAllLines(out.resolve("per-class.csv"));
        assertEquals("class,name,iou,accuracy,truth_pixels,predicted_pixels,patch_iou,patch_accuracy,truth_patches,predicted_patches",
                csv.getFirst());
        for (int c = 1; c < CLASSES; c++) {
            String[] f = csv.get(1 + c).split(",");
            assertEquals(want.pixel().truth()[c], Long.parseLong(f[4]), "class " + c + " truth pixels");
            assertEquals(want.pixel().predicted()[c], Long.parseLong(f[5]), "class " + c + " predicted pixels");
            assertEquals(want.patch().truth()[c], Long.parseLong(f[8]), "class " + c + " truth patches");
        }

        Path limited = tmp.resolve("eval-2");
        CliRun.Result two = CliRun.run("head", "eval", "--head", headFile.toString(), "--model", model.toString(), "--dataset",
                "ade20k:" + root, "--limit", "2", "--out", limited.toString());
        assertEquals(0, two.code(), two.err());
        JsonNode m2 = Json.mapper().readTree(limited.resolve("metrics.json").toFile());
        assertEquals(2, m2.get("n_images").asInt());
        assertEquals("the first 2 images in dataset order", m2.get("images").asText());
        assertEquals(2 * SIDE * SIDE, m2.at("/pixel_metrics/pixels").asLong());
        Expected first2 = expected(model, images.subList(0, 2), head);
        assertEquals(first2.pixel().miou(), m2.at("/pixel_metrics/miou").asDouble(), 1e-9);
    }

    @Test
    void badInputIsOneSentence() throws Exception {
        Path model = CliFixtures.captureModel(tmp.resolve("model"));
        Path root = tmp.resolve("ade");
        ade20k(root, 2, 0);
        String sha = HeadProvenance.modelOf("m", model).weightsSha256();
        Path seg = tmp.resolve("seg.safetensors");
        randomHead(HeadKind.SEGMENT, RecordedLayer.FINAL, "m", sha).save(seg);
        Path probe = tmp.resolve("probe.safetensors");
        randomHead(HeadKind.CLASSIFY, RecordedLayer.POOLED, "m", sha).save(probe);
        String prefix = "saelab head eval: error: ";
        Path out = tmp.resolve("out");

        assertEquals(prefix + "the head " + probe + " is a classify head; evaluation at image resolution (--resolution pixel) scores"
                + " segmentation heads only", bad("--head", probe.toString(), "--model", model.toString(), "--dataset", "ade20k:" + root,
                "--resolution", "pixel", "--out", out.toString()));

        Path folder = tmp.resolve("folder");
        Files.createDirectories(folder.resolve("val/a"));
        Files.write(folder.resolve("val/a/x.png"), CliFixtures.png(64, 64, 1));
        assertEquals(prefix + "the dataset folder:" + folder + " has no label maps; evaluation at image resolution needs a dataset with"
                + " label maps (e.g. ade20k:PATH)", bad("--head", seg.toString(), "--model", model.toString(), "--dataset", "folder:" + folder,
                "--resolution", "pixel", "--out", out.toString()));

        assertEquals(prefix + "--resolution pixel needs --model and --dataset: a cache holds per-patch labels, not the label maps at"
                + " image resolution", bad("--head", seg.toString(), "--cache", tmp.resolve("cache").toString(), "--resolution", "pixel",
                "--out", out.toString()));
        assertEquals(prefix + "--resolution pixel needs both --model and --dataset (--dataset is missing)",
                bad("--head", seg.toString(), "--model", model.toString(), "--out", out.toString()));
        assertEquals(prefix + "--resolution is 'voxel'; expected patch or pixel", bad("--head", seg.toString(), "--model", model.toString(),
                "--dataset", "ade20k:" + root, "--resolution", "voxel", "--out", out.toString()));

        Path foreign = tmp.resolve("foreign.safetensors");
        randomHead(HeadKind.SEGMENT, RecordedLayer.FINAL, "other/model", "cd".repeat(32)).save(foreign);
        String e = bad("--head", foreign.toString(), "--model", model.toString(), "--dataset", "ade20k:" + root, "--out", out.toString());
        assertTrue(e.startsWith(prefix + "the head " + foreign + " was trained on model 'other/model'"), e);

        // a label map with a label the 3-class head does not know
        Path wide = tmp.resolve("wide");
        ade20k(wide, 1, 7);
        e = bad("--head", seg.toString(), "--model", model.toString(), "--dataset", "ade20k:" + wide, "--out", out.toString());
        assertTrue(e.startsWith(prefix + "the label map ") && e.endsWith("ADE_validation_00000001.png has label 7, but the head knows 3"
                + " classes (0..2)"), e);
        assertTrue(!Files.exists(out.resolve("metrics.json")), "nothing written on an error");
    }

    private static String bad(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "head";
        all[1] = "eval";
        System.arraycopy(args, 0, all, 2, args.length);
        CliRun.Result r = CliRun.run(all);
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        return r.err().strip();
    }

    /**
     * An ADE20K validation split of 64 x 64 images. Label map: rows 0-9 background (0); below, in even images the left
     * half (x < 32, patch columns 0 and 1 after the crop) is class 1 and the right half class 2, odd images class 2; a
     * non-zero {@code stray} is written at pixel (40, 40) instead.
     */
    private static List<Path> ade20k(Path root, int n, int stray) throws Exception {
        Path imgs = Files.createDirectories(root.resolve("ADEChallengeData2016/images/validation"));
        Path anns = Files.createDirectories(root.resolve("ADEChallengeData2016/annotations/validation"));
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String stem = String.format("ADE_validation_%08d", i + 1);
            BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
            BufferedImage map = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    img.setRGB(x, y, ((x * 4 + i * 30) & 0xFF) << 16 | ((y * 3 + i * 7) & 0xFF) << 8 | ((x * y + i) & 0xFF));
                    map.getRaster().setSample(x, y, 0, label(i, y, x));
                }
            }
            if (stray > 0) {
                map.getRaster().setSample(40, 40, 0, stray);
            }
            Path f = imgs.resolve(stem + ".png");
            ImageIO.write(img, "png", f.toFile());
            ImageIO.write(map, "png", anns.resolve(stem + ".png").toFile());
            files.add(f);
        }
        return files;
    }

    /** The label of pixel (y, x) of image i's map. */
    private static int label(int i, int y, int x) {
        return y < 10 ? 0 : i % 2 == 0 && x < 32 ? 1 : 2;
    }

    private static LinearHead randomHead(HeadKind kind, int layer, String modelId, String sha) {
        SplittableRandom rng = new SplittableRandom(SEED);
        float[] w = new float[CLASSES * D];
        float[] b = new float[CLASSES];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rng.nextGaussian();
        }
        List<String> names = List.of("background", "left", "right");
        return new LinearHead(w, b, new HeadProvenance(kind, modelId, null, sha, null, null, layer, D, names,
                kind == HeadKind.SEGMENT ? 0 : -1, null, null));
    }

    /** Confusion-derived figures, background (label 0) ignored as mmsegmentation's reduce_zero_label. */
    record Figures(double miou, double accuracy, long[] truth, long[] predicted) {

        static Figures of(long[][] confusion) {
            long[] truth = new long[CLASSES];
            long[] predicted = new long[CLASSES];
            long correct = 0;
            long labelled = 0;
            for (int t = 1; t < CLASSES; t++) {
                for (int p = 0; p < CLASSES; p++) {
                    truth[t] += confusion[t][p];
                    predicted[p] += confusion[t][p];
                    labelled += confusion[t][p];
                }
                correct += confusion[t][t];
            }
            double sum = 0;
            int present = 0;
            for (int c = 1; c < CLASSES; c++) {
                long union = truth[c] + predicted[c] - confusion[c][c];
                if (union > 0) {
                    sum += (double) confusion[c][c] / union;
                    present++;
                }
            }
            return new Figures(sum / present, (double) correct / labelled, truth, predicted);
        }
    }

    record Expected(Figures pixel, Figures patch, int nearTies) {}

    /** The figures recomputed from the tower's final features, by hand. */
    private static Expected expected(Path model, List<Path> images, LinearHead head) throws Exception {
        Preprocessor pre = Preprocessor.load(model);
        long[][] pixelConfusion = new long[CLASSES][CLASSES];
        long[][] patchConfusion = new long[CLASSES][CLASSES];
        int nearTies = 0;
        try (LoadedModel m = ModelLoader.load(model); NDManager nd = NDManager.newBaseManager()) {
            VisionTower tower = m.vision();
            for (int i = 0; i < images.size(); i++) {
                VisionOutput out = tower.forward(nd.create(pre.apply(images.get(i)), new Shape(1, 3, SIDE, SIDE)));
                NDArray tokens = FinalFeatures.tokens(out, tower.head());
                float[] f = tokens.get(new NDIndex("0, " + out.layout().firstPatch() + ":, :")).toFloatArray();
                double[][] logits = new double[GRID * GRID][CLASSES];
                for (int p = 0; p < GRID * GRID; p++) {
                    for (int k = 0; k < CLASSES; k++) {
                        double s = head.bias()[k];
                        for (int j = 0; j < D; j++) {
                            s += (double) head.weight()[k * D + j] * f[p * D + j];
                        }
                        logits[p][k] = s;
                    }
                }
                for (int p = 0; p < GRID * GRID; p++) {
                    int[] counts = new int[CLASSES];
                    for (int dy = 0; dy < PATCH; dy++) {
                        for (int dx = 0; dx < PATCH; dx++) {
                            counts[label(i, OFFSET + p / GRID * PATCH + dy, OFFSET + p % GRID * PATCH + dx)]++;
                        }
                    }
                    int majority = 0;
                    for (int k = 1; k < CLASSES; k++) {
                        majority = counts[k] > counts[majority] ? k : majority;
                    }
                    patchConfusion[majority][argmax(logits[p])]++;
                }
                for (int y = 0; y < SIDE; y++) {
                    for (int x = 0; x < SIDE; x++) {
                        double[] v = upsampled(logits, y, x);
                        int best = argmax(v);
                        for (int k = 0; k < CLASSES; k++) {
                            if (k != best && v[best] - v[k] < 1e-4) {
                                nearTies++;
                            }
                        }
                        pixelConfusion[label(i, OFFSET + y, OFFSET + x)][best]++;
                    }
                }
            }
        }
        return new Expected(Figures.of(pixelConfusion), Figures.of(patchConfusion), nearTies);
    }

    /** Bilinear, align_corners=False, from the 4 x 4 patch grid to pixel (y, x) of the 56 x 56 image. */
    private static double[] upsampled(double[][] logits, int y, int x) {
        double sy = Math.max((y + 0.5) * GRID / SIDE - 0.5, 0);
        double sx = Math.max((x + 0.5) * GRID / SIDE - 0.5, 0);
        int y0 = (int) sy;
        int x0 = (int) sx;
        int y1 = Math.min(y0 + 1, GRID - 1);
        int x1 = Math.min(x0 + 1, GRID - 1);
        double ly = sy - y0;
        double lx = sx - x0;
        double[] v = new double[CLASSES];
        for (int k = 0; k < CLASSES; k++) {
            v[k] = (1 - ly) * ((1 - lx) * logits[y0 * GRID + x0][k] + lx * logits[y0 * GRID + x1][k])
                    + ly * ((1 - lx) * logits[y1 * GRID + x0][k] + lx * logits[y1 * GRID + x1][k]);
        }
        return v;
    }

    private static int argmax(double[] v) {
        int best = 0;
        for (int k = 1; k < v.length; k++) {
            best = v[k] > v[best] ? k : best;
        }
        return best;
    }
}
