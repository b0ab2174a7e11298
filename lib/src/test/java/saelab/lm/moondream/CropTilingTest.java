package saelab.lm.moondream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import saelab.image.RgbImage;

/** select_tiling and the crop layout against the reference (moondream/torch/image_crops.py at 44146f1). */
class CropTilingTest {

    /** Expected tilings printed by the reference's own select_tiling (Python) for these arguments. */
    @ParameterizedTest
    @CsvSource({
            "54, 68, 38, 4, 2, 2", "30, 500, 38, 4, 1, 1", "500, 30, 38, 4, 1, 1", "38, 39, 38, 4, 1, 1", "39, 39, 38, 4, 2, 2",
            "1000, 1000, 38, 4, 2, 2", "1000, 1000, 38, 12, 3, 3", "100, 300, 38, 12, 2, 5", "300, 100, 38, 12, 5, 2",
            "758, 1000, 364, 12, 3, 3", "1000, 758, 364, 12, 3, 3", "2000, 500, 364, 12, 6, 2", "365, 729, 364, 12, 2, 4",
            "364, 10000, 364, 12, 1, 1", "-16, 200, 38, 4, 1, 1", "77, 77, 38, 1, 1, 1", "77, 150, 38, 2, 1, 1", "150, 77, 38, 3, 2, 1",
            "200, 200, 38, 5, 2, 2", "380, 380, 38, 100, 10, 10"})
    void selectTilingAsTheReference(int h, int w, int crop, int maxCrops, int rows, int cols) {
        assertEquals(new CropTiling(rows, cols), CropTiling.select(h, w, crop, maxCrops));
    }

    private static MoondreamVisionConfig tiny(int maxCrops) {
        return new MoondreamVisionConfig(12, 2, 27, 24, 2, 64, 54, 3, maxCrops, 4, 64);
    }

    @Test
    void aSmallImageGetsTheGlobalCropAndOneTile() {
        RgbImage img = new RgbImage(20, 10, new byte[20 * 10 * 3]);
        CropSet crops = OverlapCropper.crop(img, tiny(4));
        assertEquals(new CropTiling(1, 1), crops.tiling());
        assertEquals(2, crops.count());
        assertEquals(2 * 54 * 54 * 3, crops.pixels().length);
    }

    @Test
    void localCropsOverlapByTwoMargins() {
        // a horizontal ramp resized to exactly its own size is unchanged, so the crops are plain slices:
        // 2 x 2 tiles of 38 px windows + 2 x 8 px margins = 92 x 92 px, crops at x0 = 0 and 38
        byte[] px = new byte[92 * 92 * 3];
        for (int y = 0; y < 92; y++) {
            for (int x = 0; x < 92; x++) {
                px[(y * 92 + x) * 3] = (byte) x;
                px[(y * 92 + x) * 3 + 1] = (byte) y;
            }
        }
        CropSet crops = OverlapCropper.crop(new RgbImage(92, 92, px), tiny(4));
        assertEquals(new CropTiling(2, 2), crops.tiling());
        RgbImage topRight = crops.crop(2);
        assertEquals(38, topRight.get(0, 0, 0));
        assertEquals(91, topRight.get(0, 53, 0));
        RgbImage bottomLeft = crops.crop(3);
        assertEquals(38, bottomLeft.get(0, 0, 1));
        assertEquals(0, bottomLeft.get(0, 0, 0));
    }

    @Test
    void aTilingBelowOneTileIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new CropTiling(0, 2));
    }
}
