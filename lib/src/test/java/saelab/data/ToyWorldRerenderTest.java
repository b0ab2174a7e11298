package saelab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Scenes re-rendered with edited objects ({@link ToyWorld#rerender}), over fresh backgrounds ({@link ToyWorld#render}), and re-placed objects. */
class ToyWorldRerenderTest {

    private static final ToyWorld WORLD = ToyWorld.withSeed(3);

    @Test
    void rerenderingASceneWithItsOwnObjectsGivesTheSameScene() {
        for (int i = 0; i < 50; i++) {
            ToyWorldScene a = WORLD.scene(i);
            ToyWorldScene b = WORLD.rerender(i, a.objects());
            assertArrayEquals(a.rgb(), b.rgb(), "scene " + i);
            assertArrayEquals(a.classMask(), b.classMask());
            assertArrayEquals(a.instanceMask(), b.instanceMask());
            assertEquals(a.objects(), b.objects());
            assertEquals(a.caption(), b.caption());
            assertEquals(a.background(), b.background());
        }
    }

    @Test
    void changingOneShapeChangesOnlyThatObjectsPixelsAndItsWord() {
        int checked = 0;
        for (int i = 0; i < 100; i++) {
            ToyWorldScene a = WORLD.scene(i);
            if (a.objects().size() != 1) {
                continue;
            }
            ToyWorldObject o = a.objects().getFirst();
            ToyWorldShape other = o.shape() == ToyWorldShape.CIRCLE ? ToyWorldShape.CROSS : ToyWorldShape.CIRCLE;
            ToyWorldScene b = WORLD.rerender(i, List.of(o.withShape(other)));
            assertEquals(other, b.objects().getFirst().shape());
            assertEquals(o.colour(), b.objects().getFirst().colour());
            assertEquals(a.caption().replace(" " + o.shape().word(), " " + other.word()), b.caption());
            int s = a.size();
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    boolean either = o.covers(x, y) || b.objects().getFirst().covers(x, y);
                    if (!either) {
                        assertEquals(a.pixel(x, y), b.pixel(x, y), "background pixel " + x + "," + y + " of scene " + i);
                    }
                    assertEquals(b.objects().getFirst().covers(x, y), b.instanceMask()[y * s + x] == 1);
                }
            }
            assertFalse(Arrays.equals(a.rgb(), b.rgb()));
            checked++;
        }
        assertTrue(checked >= 10, "only " + checked + " one-object scenes");
    }

    @Test
    void renderDrawsTheBackgroundFromTheGivenGeneratorAndReplacedKeepsWhatObjectsAre() {
        ToyWorldScene source = WORLD.scene(5);
        List<ToyWorldObject> moved = WORLD.replaced(source.objects(), new SplittableRandom(11));
        assertEquals(source.objects().size(), moved.size());
        for (int k = 0; k < moved.size(); k++) {
            ToyWorldObject o = source.objects().get(k);
            ToyWorldObject m = moved.get(k);
            assertEquals(List.of(o.shape(), o.colour(), o.texture(), o.size()), List.of(m.shape(), m.colour(), m.texture(), m.size()));
            assertEquals(o.radius(), m.radius());
            assertTrue(m.cx() - m.radius() >= 0 && m.cx() + m.radius() <= 64 && m.cy() - m.radius() >= 0 && m.cy() + m.radius() <= 64);
        }
        assertEquals(moved, WORLD.replaced(source.objects(), new SplittableRandom(11)));
        ToyWorldScene a = WORLD.render(5, moved, new SplittableRandom(2));
        ToyWorldScene b = WORLD.render(5, moved, new SplittableRandom(2));
        ToyWorldScene c = WORLD.render(5, moved, new SplittableRandom(9));
        assertArrayEquals(a.rgb(), b.rgb());
        assertArrayEquals(a.instanceMask(), c.instanceMask()); // the objects are the same
        assertFalse(Arrays.equals(a.rgb(), c.rgb())); // the background is not
        assertEquals(5, a.index());
        List<ToyWorldObject> recoloured = new ArrayList<>();
        for (ToyWorldObject o : moved) {
            recoloured.add(o.withColour(o.colour() == ToyWorldColour.values()[0] ? ToyWorldColour.values()[1] : ToyWorldColour.values()[0])
                    .withTexture(ToyWorldTexture.STRIPED));
        }
        ToyWorldScene d = WORLD.render(5, recoloured, new SplittableRandom(2));
        assertNotEquals(a.caption(), d.caption());
        assertTrue(d.caption().contains("striped"), d.caption());
    }

    @Test
    void objectsOutsideTheImageOrNoObjectsAreRefusedWithOneSentence() {
        ToyWorldObject o = WORLD.scene(0).objects().getFirst();
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> WORLD.rerender(0, List.of(o.movedTo(1, 32))));
        assertTrue(outside.getMessage().contains("not wholly inside the 64x64 image"), outside.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> WORLD.render(0, List.of(), new SplittableRandom(1)));
        assertTrue(none.getMessage().contains("1..254 objects"), none.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WORLD.rerender(-1, List.of(o)));
        List<ToyWorldObject> withNull = new ArrayList<>();
        withNull.add(null);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> WORLD.rerender(0, withNull));
        assertTrue(missing.getMessage().contains("missing"), missing.getMessage());
    }
}
