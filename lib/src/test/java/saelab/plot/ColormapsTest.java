package saelab.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Viridis at its published control points and between them; the blend formula. */
class ColormapsTest {

    @Test
    void viridisHitsItsControlPoints() {
        assertEquals(0x440154, Colormaps.viridisRgb(0));
        assertEquals(0x440154, Colormaps.viridisRgb(-3));
        assertEquals(0x440154, Colormaps.viridisRgb(Double.NaN));
        assertEquals(0xFDE725, Colormaps.viridisRgb(1));
        assertEquals(0xFDE725, Colormaps.viridisRgb(7));
        assertEquals(0x26828E, Colormaps.viridisRgb(4 / 9.0));
        // halfway between #26828E and #1F9E89
        assertEquals((0x23 << 16) | (0x90 << 8) | 0x8C, Colormaps.viridisRgb(4.5 / 9.0));
    }

    @Test
    void blendMixesPerChannel() {
        assertEquals(0x808080, HeatmapOverlay.blend(0xFFFFFF, 0x000000, 128 / 255.0));
        assertEquals(0x102030, HeatmapOverlay.blend(0xFFFFFF, 0x102030, 0));
        assertEquals(0xFDE725, HeatmapOverlay.blend(0xFDE725, 0x102030, 1));
    }
}
