package saelab.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.store.ActivationCache;

/**
 * Per-patch ADE20K labels in the cache, on synthetic label maps whose answer is known by construction:
 * with the test preprocessing (short edge 64, centre crop 56, patch 14), a 64 x 64 image is cropped at
 * offset 4, so patch (r, c) covers pixels {@code [4 + 14r, 18 + 14r)} x {@code [4 + 14c, 18 + 14c)}; a
 * 128 x 128 map is first resized by nearest neighbour, which reads source pixel {@code 2x + 1}.
 */
class CaptureLabelsTest {

    @TempDir
    Path tmp;

    /** The 64 x 64 map: 0 in the margins, 1 + 4r + c in patch (r, c), except patch (1, 2) whose 8 left columns are 100. */
    private static int label64(int y, int x) {
        if (y < 4 || y >= 60 || x < 4 || x >= 60) {
            return 0;
        }
        int r = (y - 4) / 14;
        int c = (x - 4) / 14;
        if (r == 1 && c == 2 && (x - 4) % 14 < 8) {
            return 100;
        }
        return 1 + 4 * r + c;
    }

    private static void labelPng(Path file, int scale) {
        int n = 64 * scale;
        BufferedImage img = new BufferedImage(n, n, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                img.getRaster().setSample(x, y, 0, label64(y / scale, x / scale));
            }
        }
        CaptureTestData.write(img, file);
    }

    @Test
    void patchLabelsAreTheMajorityLabelOfEachPatchAfterResizeAndCrop() throws Exception {
        Path model = CaptureTestData.model(tmp.resolve("model"));
        Path root = tmp.resolve("ade");
        Path imgs = root.resolve("ADEChallengeData2016/images/training");
        Path anns = root.resolve("ADEChallengeData2016/annotations/training");
        for (int i = 0; i < 3; i++) {
            int scale = i == 1 ? 2 : 1;
            String stem = String.format("ADE_train_%08d", i + 1);
            CaptureTestData.write(ImageIOs.rgb(64 * scale, 64 * scale, i), imgs.resolve(stem + ".jpg"));
            labelPng(anns.resolve(stem + ".png"), scale);
        }
        CapturePipeline.run(CaptureOptions.builder(model, "ade20k:" + root, "train", List.of(1), TokenSelection.parse("cls,patches"),
                tmp.resolve("cache")).batch(2).threads(2).build(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        short[] expected = new short[16];
        for (int p = 0; p < 16; p++) {
            expected[p] = (short) (1 + p);
        }
        expected[4 + 2] = 100; // 8 of 14 columns
        try (ActivationCache c = ActivationCache.open(tmp.resolve("cache"))) {
            assertEquals(3, c.nImages());
            assertEquals(151, c.labelClasses().size());
            assertEquals("background", c.labelClasses().getFirst());
            assertEquals(0, c.backgroundLabel());
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(expected, c.patchLabels(i), "image " + i + " (" + c.image(i).path() + ")");
            }
        }
    }

    /** Small RGB test images. */
    static final class ImageIOs {
        static BufferedImage rgb(int w, int h, int seed) {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    img.setRGB(x, y, ((x * 3 + seed * 40) & 0xFF) << 16 | ((y * 5) & 0xFF) << 8 | ((x + y + seed) & 0xFF));
                }
            }
            return img;
        }
    }
}
