package saelab.lm.moondream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * moondream2's partial rotary embedding against the formula, computed here in double: dimension j (&lt; 16)
 * and j + 16 form a complex number rotated by position / 10000^(2j / 32) and written back interleaved at
 * 2j and 2j + 1; dimensions 32 to 63 pass through. (The golden fixture cannot see the write-back order:
 * queries and keys get the same permutation, so attention is unchanged; this test pins it.)
 */
class PartialRopeTest {

    @Test
    void rotatesTheFirst32DimensionsAndWritesThemBackInterleaved() {
        int heads = 2;
        int t = 3;
        int hd = 64;
        long start = 700;
        float[] x = new float[heads * t * hd];
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (NDManager nd = NDManager.newBaseManager(); PartialRope rope = new PartialRope(32, 10000, 2048, nd)) {
            NDArray in = nd.create(x, new Shape(1, heads, t, hd));
            float[] out = rope.apply(in, start).toFloatArray();
            for (int h = 0; h < heads; h++) {
                for (int p = 0; p < t; p++) {
                    int base = (h * t + p) * hd;
                    for (int j = 0; j < 16; j++) {
                        double angle = (start + p) / Math.pow(10000, 2.0 * j / 32);
                        double re = x[base + j];
                        double im = x[base + 16 + j];
                        assertEquals(re * Math.cos(angle) - im * Math.sin(angle), out[base + 2 * j], 2e-4, "real part of pair " + j);
                        assertEquals(re * Math.sin(angle) + im * Math.cos(angle), out[base + 2 * j + 1], 2e-4, "imaginary part of pair " + j);
                    }
                    for (int d = 32; d < hd; d++) {
                        assertEquals(x[base + d], out[base + d], 0, "dimension " + d + " passes through");
                    }
                }
            }
        }
    }

    @Test
    void positionsPastTheContextAreRefused() {
        try (NDManager nd = NDManager.newBaseManager(); PartialRope rope = new PartialRope(32, 10000, 2048, nd)) {
            String m = assertThrows(IllegalArgumentException.class, () -> rope.apply(nd.zeros(new Shape(1, 1, 2, 64)), 2047)).getMessage();
            assertEquals("positions 2047 to 2048 are outside the context of 2048", m);
        }
    }
}
