package saelab.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import saelab.data.CropRounding;
import saelab.data.LabelMap;
import saelab.data.PatchLabels;
import saelab.data.ResizeCropGeometry;
import saelab.data.ToyWorld;
import saelab.data.ToyWorldBackground;
import saelab.data.ToyWorldColour;
import saelab.data.ToyWorldObject;
import saelab.data.ToyWorldScene;
import saelab.data.ToyWorldShape;
import saelab.data.ToyWorldSize;
import saelab.data.ToyWorldTexture;

/** The ground-truth rule on hand-built scenes whose answers are known by construction, and on real toy-world scenes. */
class ToyGroundTruthTest {

    private static final ToyWorldObject RED_CIRCLE = object(ToyWorldShape.CIRCLE, ToyWorldColour.RED, ToyWorldTexture.PLAIN);
    private static final ToyWorldObject BLUE_SQUARE = object(ToyWorldShape.SQUARE, ToyWorldColour.BLUE, ToyWorldTexture.STRIPED);
    private static final ToyWorldObject GREEN_RING = object(ToyWorldShape.RING, ToyWorldColour.GREEN, ToyWorldTexture.DOTTED);

    private static ToyWorldObject object(ToyWorldShape shape, ToyWorldColour colour, ToyWorldTexture texture) {
        return new ToyWorldObject(shape, colour, texture, ToyWorldSize.SMALL, 0, 0, 1, 0, 0, 0, 0, 0);
    }

    /** A scene of side {@code s} from an instance mask given as rows of digits (0 = background, k = object k). */
    private static ToyWorldScene scene(ToyWorldBackground bg, List<ToyWorldObject> objects, int largest, String... rows) {
        int s = rows.length;
        byte[] inst = new byte[s * s];
        byte[] cls = new byte[s * s];
        int[] pixels = new int[objects.size()];
        for (int y = 0; y < s; y++) {
            for (int x = 0; x < s; x++) {
                int k = rows[y].charAt(x) - '0';
                inst[y * s + x] = (byte) k;
                if (k > 0) {
                    cls[y * s + x] = (byte) objects.get(k - 1).classIndex();
                    pixels[k - 1]++;
                }
            }
        }
        List<ToyWorldObject> withPixels = new ArrayList<>();
        for (int k = 0; k < objects.size(); k++) {
            ToyWorldObject o = objects.get(k);
            withPixels.add(new ToyWorldObject(o.shape(), o.colour(), o.texture(), o.size(), 0, 0, 1, pixels[k], 0, 0, 0, 0));
        }
        return new ToyWorldScene(0, s, new byte[s * s * 3], cls, inst, bg, withPixels, largest, "test");
    }

    private static int bgLabel(ToyWorldBackground b) {
        return 1 + b.ordinal();
    }

    @Test
    void halfCoverLabelsAPatchAndTiesGoToTheObjectDrawnFirst() {
        ToyWorldScene sc = scene(ToyWorldBackground.NOISE, List.of(RED_CIRCLE, BLUE_SQUARE), 0,
                "11112200",
                "11112200",
                "11112200",
                "11112200",
                "11101111",
                "11001111",
                "11002222",
                "00002222");
        ToyGroundTruth.SceneTruth t = ToyGroundTruth.of(sc, ResizeCropGeometry.shortEdge(8, 8, CropRounding.FLOOR), 4);
        assertEquals(2, t.gridHeight());
        assertEquals(2, t.gridWidth());
        int red = 1 + ToyWorldColour.RED.ordinal();
        int blue = 1 + ToyWorldColour.BLUE.ordinal();
        // (0,0) all red; (0,1) half blue, half background: both labels; (1,0) 7 of 16 red: none, background 9/16;
        // (1,1) 8 red and 8 blue: the tie goes to red, drawn first
        assertArrayEquals(new int[] {red, blue, 0, red}, t.of(ToyFamily.COLOUR), "colour");
        assertArrayEquals(new int[] {1 + ToyWorldShape.CIRCLE.ordinal(), 1 + ToyWorldShape.SQUARE.ordinal(), 0,
                1 + ToyWorldShape.CIRCLE.ordinal()}, t.of(ToyFamily.SHAPE), "shape");
        assertArrayEquals(new int[] {1 + ToyWorldTexture.PLAIN.ordinal(), 1 + ToyWorldTexture.STRIPED.ordinal(), 0,
                1 + ToyWorldTexture.PLAIN.ordinal()}, t.of(ToyFamily.TEXTURE), "texture");
        assertArrayEquals(new int[] {0, bgLabel(ToyWorldBackground.NOISE), bgLabel(ToyWorldBackground.NOISE), 0},
                t.of(ToyFamily.BACKGROUND), "background");
        assertArrayEquals(new int[] {0, 1, -1, 0}, t.object());
        assertArrayEquals(new float[] {1f, 0.5f, 7f / 16, 0.5f}, t.objectCover());
        assertArrayEquals(new float[] {0f, 0.5f, 9f / 16, 0f}, t.backgroundCover());
        // image level
        assertArrayEquals(new int[] {1}, t.of(ToyFamily.COUNT), "two objects: label 1 ('2')");
        assertArrayEquals(new int[] {ToyWorldBackground.NOISE.ordinal()}, t.of(ToyFamily.SCENE_BACKGROUND));
        assertArrayEquals(new int[] {ToyWorldColour.RED.ordinal()}, t.of(ToyFamily.LARGEST_COLOUR));
        assertArrayEquals(new int[] {ToyWorldShape.CIRCLE.ordinal()}, t.of(ToyFamily.LARGEST_SHAPE));
        assertArrayEquals(new int[] {ToyWorldTexture.PLAIN.ordinal()}, t.of(ToyFamily.LARGEST_TEXTURE));
    }

    @Test
    void lessThanHalfIsNoneForObjectsAndForBackground() {
        ToyWorldScene sc = scene(ToyWorldBackground.PLAIN, List.of(RED_CIRCLE, BLUE_SQUARE, GREEN_RING), 0,
                "1112",
                "1122",
                "1233",
                "0333");
        // red 6, blue 4, green 5, background 1 of 16
        ToyGroundTruth.SceneTruth t = ToyGroundTruth.of(sc, ResizeCropGeometry.shortEdge(4, 4, CropRounding.FLOOR), 4);
        assertArrayEquals(new int[] {0}, t.of(ToyFamily.COLOUR));
        assertArrayEquals(new int[] {0}, t.of(ToyFamily.BACKGROUND));
        assertArrayEquals(new int[] {-1}, t.object());
        assertEquals(6f / 16, t.objectCover()[0]);
        assertEquals(1f / 16, t.backgroundCover()[0]);
        assertArrayEquals(new int[] {2}, t.of(ToyFamily.COUNT), "three objects");
    }

    @Test
    void labelsFollowThePixelsThePreprocessingKeeps() {
        // 8 -> 4 by nearest neighbour reads source pixels 1, 3, 5, 7: only the odd-odd pixels (a quarter of the area) count
        String[] rows = new String[8];
        for (int y = 0; y < 8; y++) {
            StringBuilder b = new StringBuilder();
            for (int x = 0; x < 8; x++) {
                b.append(x % 2 == 1 && y % 2 == 1 ? '1' : '0');
            }
            rows[y] = b.toString();
        }
        ToyWorldScene sc = scene(ToyWorldBackground.GRADIENT, List.of(RED_CIRCLE), 0, rows);
        ToyGroundTruth.SceneTruth t = ToyGroundTruth.of(sc, ResizeCropGeometry.shortEdge(4, 4, CropRounding.FLOOR), 2);
        int red = 1 + ToyWorldColour.RED.ordinal();
        assertArrayEquals(new int[] {red, red, red, red}, t.of(ToyFamily.COLOUR));
        assertArrayEquals(new int[] {0, 0, 0, 0}, t.of(ToyFamily.BACKGROUND));

        // a centre crop of 4 from 8 keeps pixels 2..5: one 4x4 patch of object 1 inside a frame of object 2
        ToyWorldScene framed = scene(ToyWorldBackground.PLAIN, List.of(RED_CIRCLE, BLUE_SQUARE), 1,
                "22222222",
                "22222222",
                "22111122",
                "22111122",
                "22111122",
                "22111122",
                "22222222",
                "22222222");
        ToyGroundTruth.SceneTruth c = ToyGroundTruth.of(framed, ResizeCropGeometry.shortEdge(8, 4, CropRounding.FLOOR), 4);
        assertEquals(1, c.gridHeight());
        assertArrayEquals(new int[] {red}, c.of(ToyFamily.COLOUR));
        assertArrayEquals(new int[] {ToyWorldColour.BLUE.ordinal()}, c.of(ToyFamily.LARGEST_COLOUR), "largest = object 2");
    }

    @Test
    void onRealScenesStrictMajoritiesAgreeWithTheCapturesClassLabels() {
        ToyWorld world = ToyWorld.withSeed(7);
        int checked = 0;
        for (ResizeCropGeometry g : List.of(ResizeCropGeometry.shortEdge(56, 56, CropRounding.FLOOR),
                ResizeCropGeometry.shortEdge(64, 64, CropRounding.FLOOR), ResizeCropGeometry.shortEdge(72, 64, CropRounding.FLOOR))) {
            int patch = g.cropHeight() == 56 ? 14 : 8;
            for (int i = 0; i < 40; i++) {
                ToyWorldScene sc = world.scene(i);
                ToyGroundTruth.SceneTruth t = ToyGroundTruth.of(sc, g, patch);
                PatchLabels cls = PatchLabels.of(new LabelMap(sc.size(), sc.size(), sc.classMask().clone()), g, patch);
                assertEquals(cls.count(), t.of(ToyFamily.COLOUR).length);
                for (int p = 0; p < cls.count(); p++) {
                    for (ToyFamily f : ToyFamily.values()) {
                        int v = t.of(f)[f.unit() == saelab.analysis.ConceptMatching.Unit.PATCH ? p : 0];
                        assertTrue(v >= 0 && v < f.classes(world).size(), f + " label " + v);
                    }
                    if (t.objectCover()[p] > 0.5f) {
                        assertEquals(sc.objects().get(t.object()[p]).classIndex(), cls.labels()[p], "scene " + i + " patch " + p);
                        checked++;
                    } else if (t.backgroundCover()[p] > 0.5f) {
                        assertEquals(0, cls.labels()[p], "scene " + i + " patch " + p);
                        checked++;
                    }
                    boolean object = t.of(ToyFamily.COLOUR)[p] > 0;
                    assertEquals(t.objectCover()[p] >= 0.5f, object);
                    assertEquals(t.backgroundCover()[p] >= 0.5f, t.of(ToyFamily.BACKGROUND)[p] > 0);
                }
                assertEquals(sc.objects().size() - 1, t.of(ToyFamily.COUNT)[0]);
            }
        }
        assertTrue(checked > 1000, "checked " + checked + " patches");
        assertEquals(List.of("1", "2", "3"), ToyFamily.COUNT.classes(world));
        assertEquals(ToyFamily.NONE, ToyFamily.COLOUR.classes(world).getFirst());
    }
}
