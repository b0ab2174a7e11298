package saelab.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Rasterises toy-world scenes in plain Java, without antialiasing: a pixel belongs to a shape when its centre
 * lies inside ({@link ToyWorldShape#contains}), objects are opaque and drawn in order, so the class and
 * instance masks are exactly the drawn pixels. (Hand-written rather than AWT {@code Graphics2D}: AWT's
 * rasterisation rules differ per shape and pipeline, and masks must match pixels exactly.)
 */
final class ToyWorldRenderer {

    private ToyWorldRenderer() {}

    /** Fills {@code rgb} with a background of the given kind, drawing its parameters from {@code rng}. */
    static void background(ToyWorldBackground kind, int s, SplittableRandom rng, byte[] rgb) {
        // grey levels stay in [40, 215] and tints in [-8, 8], so no channel clips and the spread stays <= 16
        int tr = rng.nextInt(-8, 9);
        int tg = rng.nextInt(-8, 9);
        int tb = rng.nextInt(-8, 9);
        switch (kind) {
            case PLAIN -> {
                int g = rng.nextInt(60, 200);
                for (int p = 0; p < s * s; p++) {
                    put(rgb, p, g, tr, tg, tb);
                }
            }
            case GRADIENT -> {
                int g0 = rng.nextInt(50, 211);
                int g1 = rng.nextInt(50, 211);
                double a = rng.nextDouble(2 * Math.PI);
                double ca = Math.cos(a);
                double sa = Math.sin(a);
                for (int y = 0; y < s; y++) {
                    for (int x = 0; x < s; x++) {
                        double t = ((x + 0.5 - s / 2.0) * ca + (y + 0.5 - s / 2.0) * sa) / (s * Math.sqrt(0.5)) + 0.5;
                        t = Math.clamp(t, 0.0, 1.0);
                        put(rgb, y * s + x, (int) Math.round(g0 + (g1 - g0) * t), tr, tg, tb);
                    }
                }
            }
            case NOISE -> {
                int g = rng.nextInt(80, 171);
                for (int p = 0; p < s * s; p++) {
                    put(rgb, p, g + rng.nextInt(-30, 31), tr, tg, tb);
                }
            }
            case TEXTURE -> {
                int g = rng.nextInt(80, 171);
                double period = rng.nextDouble(6, 14);
                double a = rng.nextDouble(Math.PI);
                double ca = Math.cos(a);
                double sa = Math.sin(a);
                double w = 2 * Math.PI / period;
                for (int y = 0; y < s; y++) {
                    for (int x = 0; x < s; x++) {
                        double u = x * ca + y * sa;
                        double v = -x * sa + y * ca;
                        double wave = Math.sin(w * u + 1.5 * Math.sin(w * 0.35 * v));
                        put(rgb, y * s + x, g + (int) Math.round(30 * wave), tr, tg, tb);
                    }
                }
            }
        }
    }

    private static void put(byte[] rgb, int p, int g, int tr, int tg, int tb) {
        rgb[3 * p] = (byte) (g + tr);
        rgb[3 * p + 1] = (byte) (g + tg);
        rgb[3 * p + 2] = (byte) (g + tb);
    }

    /**
     * Draws the objects over the background in order, fills the masks, and returns the objects that remain
     * visible with their visible-pixel statistics. Objects left with no visible pixel are dropped and the
     * scene redrawn without them, so every returned object can be seen.
     */
    static List<ToyWorldObject> draw(List<ToyWorldObject> objects, int s, byte[] background, byte[] rgb,
                                     byte[] classMask, byte[] instanceMask) {
        List<ToyWorldObject> current = objects;
        while (true) {
            System.arraycopy(background, 0, rgb, 0, rgb.length);
            java.util.Arrays.fill(classMask, (byte) 0);
            java.util.Arrays.fill(instanceMask, (byte) 0);
            for (int k = 0; k < current.size(); k++) {
                ToyWorldObject o = current.get(k);
                int x0 = Math.max(0, (int) Math.floor(o.cx() - o.radius()) - 1);
                int x1 = Math.min(s - 1, (int) Math.ceil(o.cx() + o.radius()) + 1);
                int y0 = Math.max(0, (int) Math.floor(o.cy() - o.radius()) - 1);
                int y1 = Math.min(s - 1, (int) Math.ceil(o.cy() + o.radius()) + 1);
                byte cls = (byte) o.classIndex();
                byte inst = (byte) (k + 1);
                for (int y = y0; y <= y1; y++) {
                    for (int x = x0; x <= x1; x++) {
                        if (o.covers(x, y)) {
                            int p = y * s + x;
                            int c = o.colourAt(x, y);
                            rgb[3 * p] = (byte) (c >> 16);
                            rgb[3 * p + 1] = (byte) (c >> 8);
                            rgb[3 * p + 2] = (byte) c;
                            classMask[p] = cls;
                            instanceMask[p] = inst;
                        }
                    }
                }
            }
            int n = current.size();
            int[] count = new int[n + 1];
            int[] minX = new int[n + 1];
            int[] minY = new int[n + 1];
            int[] maxX = new int[n + 1];
            int[] maxY = new int[n + 1];
            java.util.Arrays.fill(minX, Integer.MAX_VALUE);
            java.util.Arrays.fill(minY, Integer.MAX_VALUE);
            java.util.Arrays.fill(maxX, -1);
            java.util.Arrays.fill(maxY, -1);
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    int k = instanceMask[y * s + x] & 0xFF;
                    count[k]++;
                    minX[k] = Math.min(minX[k], x);
                    minY[k] = Math.min(minY[k], y);
                    maxX[k] = Math.max(maxX[k], x);
                    maxY[k] = Math.max(maxY[k], y);
                }
            }
            List<ToyWorldObject> visible = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                if (count[k + 1] > 0) {
                    visible.add(current.get(k).withVisible(count[k + 1], minX[k + 1], minY[k + 1], maxX[k + 1], maxY[k + 1]));
                }
            }
            if (visible.size() == n) {
                return visible;
            }
            current = visible;
        }
    }
}
