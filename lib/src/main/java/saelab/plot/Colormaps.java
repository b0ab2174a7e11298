package saelab.plot;

import java.awt.Color;

/**
 * Perceptually uniform colormaps for heatmaps and colour-coded scatters.
 *
 * <p>Viridis is the default colormap of matplotlib since 2.0, designed by Stéfan van der Walt and
 * Nathaniel Smith (matplotlib's {@code _cm_listed.py}, "A Better Default Colormap for Matplotlib",
 * SciPy 2015). Written here from its published control points rather than taken from a library,
 * because no well-kept Java library ships it and the map is ten constants: the ten colours sampled
 * evenly from 0 to 1, as published by the R package viridisLite ({@code viridis(10)}: #440154,
 * #482878, #3E4A89, #31688E, #26828E, #1F9E89, #35B779, #6DCD59, #B4DE2C, #FDE725), with linear
 * interpolation in sRGB between neighbours. Between control points this differs from matplotlib's
 * 256-entry table by a few levels at most; at the control points (0 and 1 included) it is exact.
 */
public final class Colormaps {

    private static final int[] VIRIDIS = {
        0x440154, 0x482878, 0x3E4A89, 0x31688E, 0x26828E, 0x1F9E89, 0x35B779, 0x6DCD59, 0xB4DE2C, 0xFDE725,
    };

    private Colormaps() {}

    /** Viridis at {@code t} in [0, 1] (clamped; NaN maps to 0) as packed {@code 0xRRGGBB}. */
    public static int viridisRgb(double t) {
        if (!(t > 0)) {
            return VIRIDIS[0];
        }
        if (t >= 1) {
            return VIRIDIS[VIRIDIS.length - 1];
        }
        double pos = t * (VIRIDIS.length - 1);
        int i = (int) Math.floor(pos);
        double f = pos - i;
        int a = VIRIDIS[i];
        int b = VIRIDIS[i + 1];
        return (lerp(a >> 16, b >> 16, f) << 16) | (lerp(a >> 8, b >> 8, f) << 8) | lerp(a, b, f);
    }

    /** Viridis at {@code t} in [0, 1] as a colour. */
    public static Color viridis(double t) {
        return new Color(viridisRgb(t));
    }

    private static int lerp(int a, int b, double f) {
        int x = a & 0xFF;
        int y = b & 0xFF;
        return (int) Math.round(x + (y - x) * f);
    }
}
