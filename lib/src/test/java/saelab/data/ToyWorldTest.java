package saelab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Determinism, masks against pixels, captions and per-patch labels of the toy world. */
class ToyWorldTest {

    private static final ToyWorld WORLD = ToyWorld.withSeed(7);

    private static ToyWorldObject obj(ToyWorldShape s, ToyWorldColour c, ToyWorldTexture t) {
        return new ToyWorldObject(s, c, t, ToyWorldSize.MEDIUM, 32, 32, 9, 1, 0, 0, 0, 0);
    }

    @Test
    void sceneIsAFunctionOfSeedAndIndexAlone() {
        ToyWorldScene a = WORLD.scene(12);
        WORLD.scene(3); // other scenes in between change nothing
        ToyWorldScene b = ToyWorld.withSeed(7).scene(12);
        assertArrayEquals(a.rgb(), b.rgb());
        assertArrayEquals(a.classMask(), b.classMask());
        assertArrayEquals(a.instanceMask(), b.instanceMask());
        assertEquals(a.caption(), b.caption());
        assertEquals(a.objects(), b.objects());
        ToyWorldScene other = ToyWorld.withSeed(8).scene(12);
        assertFalse(Arrays.equals(a.rgb(), other.rgb()));
        assertFalse(Arrays.equals(a.rgb(), WORLD.scene(13).rgb()));
    }

    @Test
    void masksAgreeWithPixelsAndGeometry() {
        Set<Integer> objectColours = new HashSet<>();
        for (ToyWorldColour c : ToyWorldColour.values()) {
            objectColours.addAll(List.of(c.base(), c.dark(), c.light()));
        }
        Set<String> kinds = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            ToyWorldScene sc = WORLD.scene(i);
            int s = sc.size();
            assertEquals(64, s);
            List<ToyWorldObject> objs = sc.objects();
            assertTrue(objs.size() >= 1 && objs.size() <= 3, "object count " + objs.size());
            assertEquals(ToyWorldCaption.of(objs), sc.caption());
            kinds.add(sc.background().name());
            int[] visible = new int[objs.size() + 1];
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    int inst = sc.instanceMask()[y * s + x] & 0xFF;
                    int cls = sc.classMask()[y * s + x] & 0xFF;
                    visible[inst]++;
                    // recomputed from geometry: the last object drawn that covers the pixel centre
                    int top = 0;
                    for (int k = objs.size() - 1; k >= 0 && top == 0; k--) {
                        if (objs.get(k).covers(x, y)) {
                            top = k + 1;
                        }
                    }
                    assertEquals(top, inst, "scene " + i + " pixel " + x + "," + y);
                    int px = sc.pixel(x, y);
                    if (inst == 0) {
                        assertEquals(0, cls);
                        assertFalse(objectColours.contains(px), "background pixel has an object colour in scene " + i);
                    } else {
                        ToyWorldObject o = objs.get(inst - 1);
                        assertEquals(o.classIndex(), cls);
                        ToyWorldColour c = o.colour();
                        assertTrue(px == c.base() || px == c.dark() || px == c.light(),
                                "scene " + i + " pixel " + x + "," + y + " of class " + cls + " is not " + c);
                        assertEquals(o.colourAt(x, y), px);
                    }
                }
            }
            for (int k = 0; k < objs.size(); k++) {
                assertEquals(objs.get(k).pixels(), visible[k + 1]);
                assertTrue(objs.get(k).pixels() > 0);
                assertTrue(objs.get(sc.largest()).pixels() >= objs.get(k).pixels());
            }
        }
        assertEquals(4, kinds.size(), "all background kinds occur in 200 scenes");
    }

    @Test
    void captionGrammar() {
        ToyWorldObject redStripedCircle = obj(ToyWorldShape.CIRCLE, ToyWorldColour.RED, ToyWorldTexture.STRIPED);
        ToyWorldObject blueSquare = obj(ToyWorldShape.SQUARE, ToyWorldColour.BLUE, ToyWorldTexture.PLAIN);
        ToyWorldObject orangeCross = obj(ToyWorldShape.CROSS, ToyWorldColour.ORANGE, ToyWorldTexture.PLAIN);
        ToyWorldObject greenDottedRing = obj(ToyWorldShape.RING, ToyWorldColour.GREEN, ToyWorldTexture.DOTTED);
        assertEquals("a blue square", ToyWorldCaption.of(List.of(blueSquare)));
        assertEquals("an orange cross", ToyWorldCaption.of(List.of(orangeCross)));
        assertEquals("two red striped circles and a blue square",
                ToyWorldCaption.of(List.of(redStripedCircle, blueSquare, redStripedCircle)));
        assertEquals("three orange crosses", ToyWorldCaption.of(List.of(orangeCross, orangeCross, orangeCross)));
        assertEquals("a green dotted ring, an orange cross and a blue square",
                ToyWorldCaption.of(List.of(greenDottedRing, orangeCross, blueSquare)));
        // same shape and colour, other texture: separate groups
        assertEquals("a red striped circle and a red circle", ToyWorldCaption.of(List.of(redStripedCircle,
                obj(ToyWorldShape.CIRCLE, ToyWorldColour.RED, ToyWorldTexture.PLAIN))));
        assertEquals("twelve blue squares", ToyWorldCaption.of(java.util.Collections.nCopies(12, blueSquare)));
        assertEquals("13 blue squares", ToyWorldCaption.of(java.util.Collections.nCopies(13, blueSquare)));
        assertThrows(IllegalArgumentException.class, () -> ToyWorldCaption.of(List.of()));
    }

    @Test
    void classListAndConfigChecks() {
        List<String> names = ToyWorld.classNames();
        assertEquals(37, names.size());
        assertEquals("background", names.get(0));
        assertEquals("red_circle", names.get(1));
        assertEquals("orange_diamond", names.get(36));
        assertEquals(names.get(ToyWorld.classIndex(ToyWorldColour.BLUE, ToyWorldShape.RING)), "blue_ring");
        assertThrows(IllegalArgumentException.class, () -> new ToyWorld(64, 0, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> new ToyWorld(64, 3, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> new ToyWorld(8, 1, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> WORLD.scene(-1));
    }

    @Test
    void patchLabelsOfALabelMapMatchTheGeometry() {
        ToyWorldScene sc = WORLD.scene(5);
        for (ResizeCropGeometry g : List.of(ResizeCropGeometry.fixed(64, 64), ResizeCropGeometry.fixed(32, 32))) {
            int out = g.resized(64, 64)[0];
            int patch = 8;
            PatchLabels pl = PatchLabels.of(sc.labelMap(), g, patch);
            int grid = out / patch;
            assertEquals(grid, pl.gridHeight());
            for (int r = 0; r < grid; r++) {
                for (int c = 0; c < grid; c++) {
                    int[] counts = new int[ToyWorld.labelCount()];
                    for (int dy = 0; dy < patch; dy++) {
                        for (int dx = 0; dx < patch; dx++) {
                            // nearest source of an integer downscale by f: pixel i*f + f/2
                            int f = 64 / out;
                            int y = (r * patch + dy) * f + f / 2;
                            int x = (c * patch + dx) * f + f / 2;
                            counts[labelFromGeometry(sc, x, y)]++;
                        }
                    }
                    int best = 0;
                    for (int v = 1; v < counts.length; v++) {
                        if (counts[v] > counts[best]) {
                            best = v;
                        }
                    }
                    assertEquals(best, pl.label(r, c), "patch " + r + "," + c + " at " + out);
                    assertEquals(counts[best] / (float) (patch * patch), pl.purity(r, c), 1e-6f);
                }
            }
        }
    }

    private static int labelFromGeometry(ToyWorldScene sc, int x, int y) {
        List<ToyWorldObject> objs = sc.objects();
        for (int k = objs.size() - 1; k >= 0; k--) {
            if (objs.get(k).covers(x, y)) {
                return ToyWorld.classIndex(objs.get(k).colour(), objs.get(k).shape());
            }
        }
        return 0;
    }
}
