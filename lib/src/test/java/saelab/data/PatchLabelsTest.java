package saelab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-patch majority labels and purities on label maps whose answer is known by construction. */
class PatchLabelsTest {

    @TempDir
    Path tmp;

    /**
     * An 8x8 map with 2x2 patches, no resize: each patch's four pixels are written out below, so the
     * majority, the tie-break and the purity can be read off.
     */
    private static LabelMap blocks() {
        int[][] patches = {
                {3, 3, 5, 5}, {0, 0, 0, 7}, {0, 0, 0, 0}, {9, 9, 9, 9},
                {2, 4, 4, 2}, {1, 2, 3, 4}, {0, 0, 6, 6}, {0, 8, 8, 8},
                {4, 4, 4, 4}, {4, 4, 4, 4}, {4, 4, 4, 4}, {4, 4, 4, 4},
                {4, 4, 4, 4}, {4, 4, 4, 4}, {4, 4, 4, 4}, {200, 200, 200, 255}};
        int[] v = new int[64];
        for (int p = 0; p < 16; p++) {
            int r = p / 4;
            int c = p % 4;
            for (int k = 0; k < 4; k++) {
                v[(2 * r + k / 2) * 8 + 2 * c + k % 2] = patches[p][k];
            }
        }
        return LabelMap.of(8, 8, v);
    }

    @Test
    void majorityWithTiesToTheSmallestLabelAndPurity() {
        PatchLabels p = PatchLabels.of(blocks(), ResizeCropGeometry.fixed(8, 8), 2);
        assertEquals(4, p.gridHeight());
        assertEquals(4, p.gridWidth());
        assertArrayEquals(new int[] {3, 0, 0, 9, 2, 1, 0, 8, 4, 4, 4, 4, 4, 4, 4, 200}, p.labels());
        assertArrayEquals(new float[] {0.5f, 0.75f, 1f, 1f, 0.5f, 0.25f, 0.5f, 0.75f, 1, 1, 1, 1, 1, 1, 1, 0.75f}, p.purity());
        assertEquals(0, p.label(0, 1));
        assertEquals(0.25f, p.purity(1, 1));
    }

    @Test
    void ignoringBackgroundLetsAnyOtherLabelWin() {
        PatchLabels p = PatchLabels.of(blocks(), ResizeCropGeometry.fixed(8, 8), 2, PatchLabels.Background.IGNORE_WHEN_OTHERS);
        // {0,0,0,7} -> 7 (purity 1/4); {0,0,0,0} stays 0; {0,0,6,6} -> 6 (no longer a tie with 0)
        assertArrayEquals(new int[] {3, 7, 0, 9, 2, 1, 6, 8, 4, 4, 4, 4, 4, 4, 4, 200}, p.labels());
        assertArrayEquals(new float[] {0.5f, 0.25f, 1f, 1f, 0.5f, 0.25f, 0.5f, 0.75f, 1, 1, 1, 1, 1, 1, 1, 0.75f}, p.purity());
    }

    /**
     * A non-square 5x8 map with label {@code 10 * row + col + 1}; the short edge goes 5 -> 10 (each source
     * pixel becomes a 2x2 block: nearest source = floor(x / 2)), to 10x16, then a 9x9 crop in 3x3 patches.
     * Vertical margin 1: top 0 under both rules. Horizontal margin 7: left 3 (FLOOR) or 4 (round-half-even
     * of 3.5). Patch rows see source rows {0,0,1}, {1,2,2}, {3,3,4}: majority rows 0, 2, 3. FLOOR columns
     * 3..11 see source columns {1,2,2}, {3,3,4}, {4,5,5}: majority 2, 3, 5; round-half-even columns 4..12
     * see {2,2,3}, {3,4,4}, {5,5,6}: majority 2, 4, 5. Each majority covers 2 x 2 = 4 of 9 pixels.
     */
    @Test
    void nonSquareShortEdgeResizeWithBothCropRoundings() {
        int[] v = new int[5 * 8];
        for (int r = 0; r < 5; r++) {
            for (int c = 0; c < 8; c++) {
                v[r * 8 + c] = 10 * r + c + 1;
            }
        }
        LabelMap map = LabelMap.of(5, 8, v);
        PatchLabels floor = PatchLabels.of(map, ResizeCropGeometry.shortEdge(10, 9, CropRounding.FLOOR), 3);
        assertArrayEquals(new int[] {3, 4, 6, 23, 24, 26, 33, 34, 36}, floor.labels());
        PatchLabels even = PatchLabels.of(map, ResizeCropGeometry.shortEdge(10, 9, CropRounding.ROUND_HALF_EVEN), 3);
        assertArrayEquals(new int[] {3, 5, 6, 23, 25, 26, 33, 35, 36}, even.labels());
        for (float f : floor.purity()) {
            assertEquals(4f / 9f, f, 1e-7);
        }
        assertEquals(4f / 9f, even.purity(2, 2), 1e-7);
    }

    @Test
    void nearestNeighbourFollowsPillow() {
        // downscale 10 -> 4: scale 2.5, sources trunc(1.25), trunc(3.75), trunc(6.25), trunc(8.75)
        assertArrayEquals(new int[] {1, 3, 6, 8}, PatchLabels.nearestSources(10, 4));
        // upscale 3 -> 7: trunc((i + 0.5) * 3 / 7)
        assertArrayEquals(new int[] {0, 0, 1, 1, 1, 2, 2}, PatchLabels.nearestSources(3, 7));
        assertArrayEquals(new int[] {0, 1, 2, 3}, PatchLabels.nearestSources(4, 4));
    }

    @Test
    void partialPatchesAtTheEdgeAreDroppedAndTooSmallCropsRefused() {
        LabelMap map = LabelMap.of(5, 7, new int[35]);
        PatchLabels p = PatchLabels.of(map, ResizeCropGeometry.fixed(5, 7), 2);
        assertEquals(2, p.gridHeight());
        assertEquals(3, p.gridWidth());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PatchLabels.of(map, ResizeCropGeometry.fixed(5, 7), 6));
        assertTrue(e.getMessage().contains("no whole 6x6 patch"), e.getMessage());
    }

    @Test
    void labelMapsAreReadAsStoredFromGrayAndPalettePngs() throws IOException {
        LabelMap map = blocks();
        assertEquals(map.height(), LabelMap.read(TestData.grayPng(tmp.resolve("gray.png"), map)).height());
        assertArrayEquals(map.values(), LabelMap.read(TestData.grayPng(tmp.resolve("gray.png"), map)).values());
        assertArrayEquals(map.values(), LabelMap.read(TestData.palettePng(tmp.resolve("pal.png"), map)).values());
        Path rgb = TestData.image(tmp.resolve("rgb.png"), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelMap.read(rgb));
        assertTrue(e.getMessage().startsWith(rgb.toString()) && e.getMessage().contains("single-channel"), e.getMessage());
        Path text = TestData.text(tmp.resolve("x.png"), "not a png");
        e = assertThrows(IllegalArgumentException.class, () -> LabelMap.read(text));
        assertTrue(e.getMessage().startsWith(text.toString()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LabelMap.of(2, 2, new int[] {0, 1, 2, 256}));
    }
}
