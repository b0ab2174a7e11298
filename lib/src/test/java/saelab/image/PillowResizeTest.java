package saelab.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import saelab.io.Json;

/** Pillow's resampler against Pillow's own outputs ({@code resize_test_vectors.json}) and its invariants. */
class PillowResizeTest {

    private static JsonNode vectors;

    @BeforeAll
    static void load() throws IOException {
        vectors = Json.mapper().readTree(Golden.path("resize_test_vectors.json").toFile());
    }

    /** The synthetic input of the vectors: (7x + 13y + 50c) mod 256, 50 wide, 37 high. */
    private static RgbImage synthetic() {
        RgbImage img = RgbImage.blank(50, 37);
        for (int y = 0; y < 37; y++) {
            for (int x = 0; x < 50; x++) {
                for (int c = 0; c < 3; c++) {
                    img.pixels()[(y * 50 + x) * 3 + c] = (byte) ((7 * x + 13 * y + 50 * c) % 256);
                }
            }
        }
        return img;
    }

    private static byte[] expectedRgb(String key, int w, int h) {
        JsonNode rows = vectors.get(key);
        assertEquals(h, rows.size(), key);
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            assertEquals(w, rows.get(y).size(), key);
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    out[(y * w + x) * 3 + c] = (byte) rows.get(y).get(x).get(c).asInt();
                }
            }
        }
        return out;
    }

    @Test
    void uint8VectorsAreBitExact() {
        RgbImage src = synthetic();
        RgbImage down = PillowResize.resize(src, 20, 15, ResampleFilter.BICUBIC);
        assertArrayEquals(expectedRgb("rgb_bicubic_to_W20_H15", 20, 15), down.pixels(), "50x37 -> 20x15");
        RgbImage up = PillowResize.resize(src, 64, 47, ResampleFilter.BICUBIC);
        assertArrayEquals(expectedRgb("rgb_bicubic_to_W64_H47", 64, 47), up.pixels(), "50x37 -> 64x47");
    }

    /** The float grid of the vectors: sin(0.3x) + cos(0.2y) + 0.01xy, 37x37, float32. */
    private static float[] grid() {
        float[] g = new float[37 * 37];
        for (int y = 0; y < 37; y++) {
            for (int x = 0; x < 37; x++) {
                g[y * 37 + x] = (float) (Math.sin(0.3 * x) + Math.cos(0.2 * y) + 0.01 * x * y);
            }
        }
        return g;
    }

    /** Within 1e-6 relative; the vectors are printed with 6 decimals, so 5e-7 absolute is added for their rounding. */
    private static void assertClose(double expected, float got, String where) {
        double tol = 1e-6 * Math.abs(expected) + 5e-7;
        assertTrue(Math.abs(got - expected) <= tol, where + ": expected " + expected + ", got " + got);
    }

    @Test
    void floatVectorsMatchWithin1e6() {
        float[] down = PillowResize.resizeFloat(grid(), 37, 37, 16, 16, ResampleFilter.BICUBIC);
        JsonNode e = vectors.get("float_grid_pil_F_bicubic_to_16x16");
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                assertClose(e.get(y).get(x).asDouble(), down[y * 16 + x], "16x16 [" + y + "][" + x + "]");
            }
        }
        float[] up = PillowResize.resizeFloat(grid(), 37, 37, 50, 50, ResampleFilter.BICUBIC);
        JsonNode corner = vectors.get("float_grid_pil_F_bicubic_to_50x50_corner_rows0to2_cols0to5");
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 6; x++) {
                assertClose(corner.get(y).get(x).asDouble(), up[y * 50 + x], "50x50 [" + y + "][" + x + "]");
            }
        }
    }

    @Test
    void bicubicWeightsFollowKeysKernelAndWidenOnDownscale() {
        // Upscale 2x: output 0 is centred at 0.25; input j (centre j + 0.5) is at distance j + 0.25, so
        // inputs 0 and 1 are used (input 2, at 2.25, is outside the support) and the two are renormalised.
        AxisWeights up = AxisWeights.of(4, 8, ResampleFilter.BICUBIC);
        assertEquals(0, up.start(0));
        assertEquals(2, up.count(0));
        double w0 = ResampleFilter.BICUBIC.weight(0.25);
        double w1 = ResampleFilter.BICUBIC.weight(1.25);
        assertEquals(0.8671875, w0, 1e-15);
        assertEquals(-0.0703125, w1, 1e-15);
        assertEquals(w0 / (w0 + w1), up.weight(0, 0), 1e-15);
        assertEquals(w1 / (w0 + w1), up.weight(0, 1), 1e-15);
        assertEquals(Math.round(w1 / (w0 + w1) * (1 << 22)), up.fixedWeight(0, 1), "rounded half away from zero");
        assertEquals(4, up.count(4)); // an interior output: centre 2.25, inputs 0..3
        assertEquals(1.0, ResampleFilter.BICUBIC.weight(0), 0);
        assertEquals(0.0, ResampleFilter.BICUBIC.weight(2), 0);
        assertEquals(0.5625, ResampleFilter.BICUBIC.weight(0.5), 1e-15); // (1.5*0.125 - 2.5*0.25 + 1)
        // Downscale by 3: support widens to 6 input pixels either side.
        AxisWeights down = AxisWeights.of(300, 100, ResampleFilter.BICUBIC);
        assertEquals(12, down.count(50));
        for (int i = 0; i < 100; i++) {
            long fixedSum = 0;
            double sum = 0;
            for (int t = 0; t < down.count(i); t++) {
                fixedSum += down.fixedWeight(i, t);
                sum += down.weight(i, t);
            }
            assertEquals(1.0, sum, 1e-12);
            assertTrue(Math.abs(fixedSum - (1 << 22)) <= down.count(i), "fixed-point weights sum to 2^22 up to rounding: " + fixedSum);
        }
    }

    @Test
    void bilinearHalvingAveragesPairsWithTriangleWeights() {
        // 4 -> 2: output 0 is centred at 1.0 and the triangle widens to support 2: inputs 0, 1, 2 at
        // scaled distances 0.25, 0.25, 0.75 weigh 0.75, 0.75, 0.25, normalised by 1.75.
        AxisWeights w = AxisWeights.of(4, 2, ResampleFilter.BILINEAR);
        assertEquals(0, w.start(0));
        assertEquals(3, w.count(0));
        assertEquals(3.0 / 7, w.weight(0, 0), 1e-15);
        assertEquals(1.0 / 7, w.weight(0, 2), 1e-15);
        assertEquals(1, w.start(1));
        RgbImage row = new RgbImage(4, 1, new byte[] {0, 0, 0, 100, 100, 100, (byte) 200, (byte) 200, (byte) 200, (byte) 250, (byte) 250, (byte) 250});
        RgbImage half = PillowResize.resize(row, 2, 1, ResampleFilter.BILINEAR);
        // output 0: (0.75*0 + 0.75*100 + 0.25*200) / 1.75 = 71.43 -> 71; output 1: (0.25*100 + 0.75*200 + 0.75*250) / 1.75 = 207.1 -> 207
        assertEquals(71, half.get(0, 0, 0));
        assertEquals(207, half.get(0, 1, 2));
    }

    @Test
    void sameSizeIsACopyAndOneAxisResizesOnlyThatAxis() {
        RgbImage src = synthetic();
        RgbImage same = PillowResize.resize(src, 50, 37, ResampleFilter.BICUBIC);
        assertArrayEquals(src.pixels(), same.pixels());
        assertNotSame(src.pixels(), same.pixels());
        RgbImage wide = PillowResize.resize(src, 80, 37, ResampleFilter.BICUBIC);
        RgbImage row0 = PillowResize.resize(new RgbImage(50, 1, Arrays.copyOf(src.pixels(), 150)), 80, 1, ResampleFilter.BICUBIC);
        assertArrayEquals(row0.pixels(), Arrays.copyOf(wide.pixels(), 240), "rows resample independently");
    }

    @Test
    void constantImagesStayConstantAndExtremesClamp() {
        RgbImage grey = new RgbImage(33, 21, new byte[33 * 21 * 3]);
        Arrays.fill(grey.pixels(), (byte) 173);
        for (int[] size : new int[][] {{7, 5}, {64, 40}, {33, 9}}) {
            RgbImage r = PillowResize.resize(grey, size[0], size[1], ResampleFilter.BICUBIC);
            for (byte b : r.pixels()) {
                assertEquals(173, b & 0xFF);
            }
        }
        // A hard 0/255 edge overshoots with the cubic's negative lobes; results must clamp, not wrap.
        RgbImage edge = RgbImage.blank(8, 8);
        for (int y = 0; y < 8; y++) {
            for (int x = 4; x < 8; x++) {
                for (int c = 0; c < 3; c++) {
                    edge.pixels()[(y * 8 + x) * 3 + c] = (byte) 255;
                }
            }
        }
        RgbImage up = PillowResize.resize(edge, 29, 29, ResampleFilter.BICUBIC);
        assertEquals(0, up.get(10, 0, 0));
        assertEquals(255, up.get(10, 28, 1));
    }

    @Test
    void parallelRowsGiveTheSameBytes() {
        Random rnd = new Random(7);
        byte[] px = new byte[640 * 480 * 3];
        rnd.nextBytes(px);
        RgbImage src = new RgbImage(640, 480, px);
        RgbImage seq = PillowResize.resize(src, 298, 224, ResampleFilter.BICUBIC, Parallelism.SEQUENTIAL);
        RgbImage par = PillowResize.resize(src, 298, 224, ResampleFilter.BICUBIC, Parallelism.PARALLEL);
        assertArrayEquals(seq.pixels(), par.pixels());
        RgbImage upSeq = PillowResize.resize(src, 900, 700, ResampleFilter.BICUBIC, Parallelism.SEQUENTIAL);
        RgbImage upPar = PillowResize.resize(src, 900, 700, ResampleFilter.BICUBIC, Parallelism.PARALLEL);
        assertArrayEquals(upSeq.pixels(), upPar.pixels());
    }

    private static RgbImage transpose(RgbImage img) {
        RgbImage t = RgbImage.blank(img.height(), img.width());
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    t.pixels()[(x * img.height() + y) * 3 + c] = img.pixels()[(y * img.width() + x) * 3 + c];
                }
            }
        }
        return t;
    }

    /** The two passes are separate code paths; resampling one axis must give the same bytes either way round. */
    @Test
    void verticalOnlyEqualsHorizontalOnlyOnTheTransposedImage() {
        Random rnd = new Random(11);
        for (Parallelism parallel : Parallelism.values()) {
            for (int[] s : new int[][] {{300, 517, 131}, {90, 61, 200}, {640, 480, 224}}) {
                byte[] px = new byte[s[0] * s[1] * 3];
                rnd.nextBytes(px);
                RgbImage img = new RgbImage(s[0], s[1], px);
                RgbImage vertical = PillowResize.resize(img, s[0], s[2], ResampleFilter.BICUBIC, parallel);
                RgbImage horizontal = PillowResize.resize(transpose(img), s[2], s[0], ResampleFilter.BICUBIC, parallel);
                assertArrayEquals(transpose(horizontal).pixels(), vertical.pixels(), Arrays.toString(s) + " parallel " + parallel);
            }
        }
    }

    @Test
    void badSizesAreRejected() {
        RgbImage src = synthetic();
        assertThrows(IllegalArgumentException.class, () -> PillowResize.resize(src, 0, 5, ResampleFilter.BICUBIC));
        assertThrows(IllegalArgumentException.class, () -> PillowResize.resizeFloat(new float[10], 3, 3, 2, 2, ResampleFilter.BICUBIC));
        AxisWeights wrong = AxisWeights.of(49, 20, ResampleFilter.BICUBIC);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PillowResize.resize(src, wrong, null, Parallelism.SEQUENTIAL));
        assertTrue(e.getMessage().contains("49"), e.getMessage());
    }
}
