package saelab.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Pillow's Lanczos kernel (sinc(x) sinc(x/3) on [-3, 3)) and its use in the 8-bit resize. */
class LanczosFilterTest {

    @Test
    void kernelValues() {
        ResampleFilter f = ResampleFilter.LANCZOS;
        assertEquals(3.0, f.support());
        assertEquals(1.0, f.weight(0), 0);
        // sinc(1/2) sinc(1/6) = (2 / pi) * sin(pi / 6) / (pi / 6)
        assertEquals(2 / Math.PI * 0.5 / (Math.PI / 6), f.weight(0.5), 1e-15);
        assertEquals(f.weight(1.7), f.weight(-1.7), 0);
        assertEquals(0.0, f.weight(3.0), 0);
        assertEquals(0.0, f.weight(-3.5), 0);
        assertEquals(0.0, f.weight(1.0), 1e-15);
    }

    @Test
    void aConstantImageStaysConstant() {
        byte[] px = new byte[31 * 17 * 3];
        java.util.Arrays.fill(px, (byte) 200);
        RgbImage down = PillowResize.resize(new RgbImage(31, 17, px), 9, 5, ResampleFilter.LANCZOS);
        RgbImage up = PillowResize.resize(new RgbImage(31, 17, px), 70, 40, ResampleFilter.LANCZOS);
        for (byte b : down.pixels()) {
            assertEquals(200, b & 0xFF);
        }
        for (byte b : up.pixels()) {
            assertEquals(200, b & 0xFF);
        }
    }

    @Test
    void imageProcessorConfigsStillRefuseLanczos() {
        assertThrows(IllegalArgumentException.class, () -> ResampleFilter.fromPilCode(1));
        assertThrows(IllegalArgumentException.class, () -> ResampleFilter.fromName("lanczos"));
    }
}
