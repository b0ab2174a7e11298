package saelab.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The three position-grid resamplers on their own: the antialiased one against Pillow's float
 * bicubic (the algorithm PyTorch's antialias kernel follows), the plain one as the identity at
 * equal sizes, and the weight rows of every variant summing to one. The end-to-end checks against
 * the reference position tables are in {@link Dinov2GoldenTest} ({@code position_embeddings_used}).
 */
class PositionResamplerTest {

    /** g(y, x) = sin(0.3 x) + cos(0.2 y) + 0.01 x y on a 37 x 37 grid, float32, one channel. */
    private static float[] grid37() {
        float[] g = new float[37 * 37];
        for (int y = 0; y < 37; y++) {
            for (int x = 0; x < 37; x++) {
                g[y * 37 + x] = (float) (Math.sin(0.3 * x) + Math.cos(0.2 * y) + 0.01 * x * y);
            }
        }
        return g;
    }

    @Test
    void antialiasMatchesPillowFloatBicubic() throws IOException {
        JsonNode ref = new ObjectMapper().readTree(Path.of("src/test/resources/model/pil_float_bicubic.json").toFile());
        float[] down = PositionResampler.resample(grid37(), 37, 37, 1, 16, 16, PosInterpolation.ANTIALIAS);
        double max = 0;
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                max = Math.max(max, Math.abs(down[y * 16 + x] - ref.get("to_16x16").get(y).get(x).asDouble()));
            }
        }
        // Pillow weighs in double, PyTorch (and this code) in float32: a few 1e-7 relative, plus the 6-decimal rounding of the vectors
        assertTrue(max < 5e-6, "37 -> 16 max |diff| " + max);
        float[] up = PositionResampler.resample(grid37(), 37, 37, 1, 50, 50, PosInterpolation.ANTIALIAS);
        JsonNode corner = ref.get("to_50x50_rows0to2_cols0to5");
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 6; x++) {
                assertEquals(corner.get(y).get(x).asDouble(), up[y * 50 + x], 5e-6, "37 -> 50 at (" + y + ", " + x + ")");
            }
        }
    }

    @Test
    void variantsDifferWhereTheyShould() {
        float[] g = grid37();
        float[] size = PositionResampler.resample(g, 37, 37, 1, 16, 16, PosInterpolation.SIZE);
        float[] offset = PositionResampler.resample(g, 37, 37, 1, 16, 16, PosInterpolation.OFFSET);
        float[] aa = PositionResampler.resample(g, 37, 37, 1, 16, 16, PosInterpolation.ANTIALIAS);
        assertTrue(maxDiff(size, offset) > 1e-3, "the +0.1 offset moves the sample points");
        assertTrue(maxDiff(size, aa) > 1e-3, "antialiasing widens the kernel");
    }

    @Test
    void sizeVariantIsTheIdentityAtEqualSizeAndWeightsSumToOne() {
        float[] g = grid37();
        assertArrayEquals(g, PositionResampler.resample(g, 37, 37, 1, 37, 37, PosInterpolation.SIZE));
        for (PosInterpolation p : PosInterpolation.values()) {
            for (int[] io : new int[][] {{37, 16}, {4, 3}, {4, 5}, {3, 7}, {37, 37}}) {
                for (double[] row : PositionResampler.weights(io[0], io[1], p)) {
                    double s = 0;
                    for (double w : row) {
                        s += w;
                    }
                    assertEquals(1.0, s, 1e-6, p + " " + io[0] + " -> " + io[1]);
                }
            }
        }
    }

    @Test
    void multiChannelGridIsResampledPerChannel() {
        float[] g = grid37();
        float[] two = new float[g.length * 2];
        for (int i = 0; i < g.length; i++) {
            two[2 * i] = g[i];
            two[2 * i + 1] = -3 * g[i];
        }
        float[] one = PositionResampler.resample(g, 37, 37, 1, 5, 9, PosInterpolation.OFFSET);
        float[] both = PositionResampler.resample(two, 37, 37, 2, 5, 9, PosInterpolation.OFFSET);
        for (int i = 0; i < one.length; i++) {
            assertEquals(one[i], both[2 * i], 0);
            assertEquals(-3 * one[i], both[2 * i + 1], 1e-5);
        }
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> PositionResampler.resample(new float[5], 2, 2, 1, 3, 3, PosInterpolation.SIZE));
        assertThrows(IllegalArgumentException.class, () -> PositionResampler.resample(new float[4], 2, 2, 1, 0, 3, PosInterpolation.SIZE));
        assertThrows(IllegalArgumentException.class, () -> PosInterpolation.parse("bilinear", "--pos-interpolation"));
        assertEquals(PosInterpolation.OFFSET, PosInterpolation.parse(" Offset ", "x"));
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
