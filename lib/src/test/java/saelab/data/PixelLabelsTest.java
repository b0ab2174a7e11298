package saelab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Label maps at the resolution the model sees: the image's geometry, nearest neighbour, and the capture's patch labels. */
class PixelLabelsTest {

    @Test
    void resizeAndCropPickTheHandComputedSourcePixels() {
        // 12x12 to short edge 6: Pillow's nearest reads source 2 * o + 1 (scale 2, first sample at 1); the 4x4 centre
        // crop of the 6x6 starts at 1, so output (y, x) is source (3 + 2y, 3 + 2x). Every other pixel holds 7.
        int[] v = new int[144];
        java.util.Arrays.fill(v, 7);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                v[(3 + 2 * y) * 12 + 3 + 2 * x] = y * 4 + x;
            }
        }
        PixelLabels p = PixelLabels.of(LabelMap.of(12, 12, v), ResizeCropGeometry.shortEdge(6, 4, CropRounding.FLOOR));
        assertEquals(4, p.height());
        assertEquals(4, p.width());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, p.labels());
        assertEquals(9, p.label(2, 1));
    }

    @Test
    void theMajorityOverEachPatchIsTheCapturesPatchLabel() {
        SplittableRandom rng = new SplittableRandom(5);
        ResizeCropGeometry[] geometries = {
            ResizeCropGeometry.shortEdge(64, 56, CropRounding.FLOOR),
            ResizeCropGeometry.shortEdge(37, 30, CropRounding.ROUND_HALF_EVEN),
            ResizeCropGeometry.fixed(45, 31),
            ResizeCropGeometry.fixed(50, 70, 42, 56, CropRounding.FLOOR),
        };
        for (ResizeCropGeometry g : geometries) {
            for (int trial = 0; trial < 3; trial++) {
                int h = 40 + rng.nextInt(60);
                int w = 40 + rng.nextInt(60);
                int[] v = new int[h * w];
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        v[y * w + x] = (y / 9 + x / 11 + rng.nextInt(2)) % 4; // blocks with ragged edges, ties possible
                    }
                }
                LabelMap map = LabelMap.of(h, w, v);
                int patch = 7;
                PatchLabels want = PatchLabels.of(map, g, patch);
                PixelLabels px = PixelLabels.of(map, g);
                int[] box = g.cropBox(h, w);
                assertEquals(box[2], px.height());
                assertEquals(box[3], px.width());
                for (int r = 0; r < want.gridHeight(); r++) {
                    for (int c = 0; c < want.gridWidth(); c++) {
                        int[] counts = new int[4];
                        for (int dy = 0; dy < patch; dy++) {
                            for (int dx = 0; dx < patch; dx++) {
                                counts[px.label(r * patch + dy, c * patch + dx)]++;
                            }
                        }
                        int best = 0;
                        for (int k = 1; k < 4; k++) {
                            best = counts[k] > counts[best] ? k : best;
                        }
                        assertEquals(want.label(r, c), best, g + " patch " + r + "," + c);
                    }
                }
            }
        }
    }

    @Test
    void aCropLargerThanTheResizedMapIsRefused() {
        LabelMap map = LabelMap.of(10, 10, new int[100]);
        assertThrows(IllegalArgumentException.class, () -> PixelLabels.of(map, ResizeCropGeometry.fixed(8, 8, 9, 9, CropRounding.FLOOR)));
    }
}
