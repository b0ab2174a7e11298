package saelab.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link PixelPredictions}: the logit grid resized as {@code F.interpolate(mode="bilinear", align_corners=False)} does,
 * checked against values worked out by hand and against the formula written out independently in doubles.
 */
class PixelPredictionsTest {

    @Test
    void twoByTwoToFourByFourMatchesTheHandComputedInterpolation() {
        // align_corners=False, scale 2/4: output o reads source (o + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75,
        // 1.25 (past the last centre: the last sample). With grid [[0, 4], [8, 12]] the value is 8 * ry + 4 * rx for
        // the fractional positions r = 0, 0.25, 0.75, 1.
        float[][] want = {
            {0, 1, 3, 4},
            {2, 3, 5, 6},
            {6, 7, 9, 10},
            {8, 9, 11, 12},
        };
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray grid = nd.create(new float[] {0, 4, 8, 12}, new Shape(2, 2, 1));
            NDArray up = PixelPredictions.upsample(grid, 4, 4);
            assertEquals(new Shape(4, 4, 1), up.getShape());
            float[] got = up.toFloatArray();
            for (int y = 0; y < 4; y++) {
                assertArrayEquals(want[y], java.util.Arrays.copyOfRange(got, y * 4, y * 4 + 4), 1e-6f, "row " + y);
            }
        }
    }

    @Test
    void anUnevenScaleMatchesTheAlignCornersFalseFormulaForEveryClass() {
        int gh = 3;
        int gw = 2;
        int c = 4;
        int h = 7;
        int w = 5;
        SplittableRandom rng = new SplittableRandom(11);
        float[] grid = new float[gh * gw * c];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = (float) rng.nextGaussian();
        }
        try (NDManager nd = NDManager.newBaseManager()) {
            float[] got = PixelPredictions.upsample(nd.create(grid, new Shape(gh, gw, c)), h, w).toFloatArray();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int k = 0; k < c; k++) {
                        double want = bilinear(grid, gh, gw, c, k, y, h, x, w);
                        assertEquals(want, got[(y * w + x) * c + k], 1e-5, "pixel " + y + "," + x + " class " + k);
                    }
                }
            }
        }
    }

    @Test
    void eachPixelTakesTheClassOfItsLargestUpsampledLogit() {
        // class 1's logit rises left to right (-1 at column 0, +1 at column 1); class 0 is flat at 0. Upsampled to width
        // 4 the class-1 logit is -1, -0.5, 0.5, 1: the left half is class 0, the right half class 1, on every row.
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray grid = nd.create(new float[] {0, -1, 0, 1, 0, -1, 0, 1}, new Shape(2, 2, 2));
            assertArrayEquals(new int[] {0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1}, PixelPredictions.classes(grid, 3, 4));
            assertThrows(IllegalArgumentException.class, () -> PixelPredictions.classes(nd.create(new float[] {1, 2}), 3, 4));
        }
    }

    /** PyTorch's bilinear, align_corners=False, written out per axis in doubles. */
    private static double bilinear(float[] grid, int gh, int gw, int c, int k, int y, int h, int x, int w) {
        double[] ry = axis(y, gh, h);
        double[] rx = axis(x, gw, w);
        int y0 = (int) ry[0];
        int y1 = Math.min(y0 + 1, gh - 1);
        int x0 = (int) rx[0];
        int x1 = Math.min(x0 + 1, gw - 1);
        double ly = ry[1];
        double lx = rx[1];
        return (1 - ly) * ((1 - lx) * grid[(y0 * gw + x0) * c + k] + lx * grid[(y0 * gw + x1) * c + k])
                + ly * ((1 - lx) * grid[(y1 * gw + x0) * c + k] + lx * grid[(y1 * gw + x1) * c + k]);
    }

    /** {lower source index, weight of the upper one} of output {@code o} of {@code out} from {@code in} samples. */
    private static double[] axis(int o, int in, int out) {
        double src = Math.max((o + 0.5) * in / out - 0.5, 0);
        int i0 = (int) Math.floor(src);
        return new double[] {i0, i0 + 1 < in ? src - i0 : 0};
    }
}
