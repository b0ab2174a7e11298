package saelab.intervene.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EffectsAndDoseGridTest {

    @Test
    void segmentationChangeRatesOnAHandMadeMask() {
        // 3 × 3 patches; truth: class 2 on the left column, 1 elsewhere, one unlabelled (−1), one ignored (0).
        int[] truth = {2, 1, 1, 2, 1, -1, 2, 0, 1};
        int[] before = {2, 1, 1, 2, 1, 1, 2, 0, 1};
        int[] after = {1, 1, 1, 2, 3, 3, 1, 3, 1};
        // Class 2: 3 patches, 2 changed. Others (label 1, ignore 0 left out, −1 left out): 4 patches, 1 changed.
        SegmentationEffects.ChangeCounts c = SegmentationEffects.changes(before, after, truth, 2, 0);
        assertEquals(new SegmentationEffects.ChangeCounts(2, 3, 1, 4), c);
        assertEquals(2.0 / 3, c.targetRate(), 1e-12);
        assertEquals(0.25, c.offTargetRate(), 1e-12);
        // Without an ignore label the background patch counts as "other" and changed: 2 of 5.
        assertEquals(new SegmentationEffects.ChangeCounts(2, 3, 2, 5), SegmentationEffects.changes(before, after, truth, 2, -1));
        // Collateral: an image without class 5 has only "other" patches.
        SegmentationEffects.ChangeCounts none = SegmentationEffects.changes(before, after, truth, 5, 0);
        assertEquals(0, none.target());
        assertTrue(Double.isNaN(none.targetRate()));
        assertEquals(3.0 / 7, none.offTargetRate(), 1e-12);
        assertEquals(new SegmentationEffects.ChangeCounts(4, 6, 2, 8), c.plus(c));
    }

    @Test
    void deltaIouOnAHandMadeMask() {
        int[] truth = {2, 1, 1, 2, 1, -1, 2, 0, 1};
        int[] before = {2, 1, 2, 2, 1, 2, 2, 2, 1};
        int[] after = {1, 1, 1, 2, 3, 3, 1, 3, 1};
        // Before: class 2 truth {0,3,6}, predicted among scored {0,2,3,6} (5 unlabelled, 7 ignored): I = 3, U = 4, IoU 0.75.
        SegmentationEffects.IouCounts b = SegmentationEffects.iouCounts(before, truth, 2, 0);
        assertEquals(new SegmentationEffects.IouCounts(3, 3, 4), b);
        assertEquals(0.75, b.iou(), 1e-12);
        // After: predicted {3}: I = 1, U = 3, IoU 1/3; ΔIoU = 1/3 − 3/4.
        SegmentationEffects.IouCounts a = SegmentationEffects.iouCounts(after, truth, 2, 0);
        assertEquals(1.0 / 3, a.iou(), 1e-12);
        assertEquals(1.0 / 3 - 0.75, SegmentationEffects.deltaIou(b, a), 1e-12);
        assertEquals(new SegmentationEffects.IouCounts(4, 6, 5), a.plus(b));
        assertTrue(Double.isNaN(SegmentationEffects.iouCounts(after, truth, 7, 0).iou()));
        assertThrows(IllegalArgumentException.class, () -> SegmentationEffects.changes(before, new int[3], truth, 2, 0));
    }

    @Test
    void classificationEffectsByHand() {
        float[] before = {0f, (float) Math.log(3), 0f}; // p = 0.2, 0.6, 0.2
        float[] after = {(float) Math.log(2), 0f, (float) Math.log(2)}; // p = 0.4, 0.2, 0.4
        assertArrayEquals(new double[] {0.2, 0.6, 0.2}, ClassificationEffects.probabilities(before), 1e-7);
        assertEquals(-0.4, ClassificationEffects.deltaP(before, after, 1), 1e-7);
        assertEquals(1, ClassificationEffects.top1(before));
        assertEquals(0, ClassificationEffects.top1(after), "ties go to the lower index");
        assertTrue(ClassificationEffects.flipped(before, after));
        assertFalse(ClassificationEffects.flipped(before, before));
        // Large logits do not overflow.
        assertEquals(1.0, ClassificationEffects.probabilities(new float[] {1000f, 0f})[0], 1e-12);

        ClassificationEffects.Transitions t = new ClassificationEffects.Transitions();
        t.add(before, after); // 1 → 0
        t.add(1, 0);
        t.add(1, 1);
        t.add(2, 0);
        assertEquals(4, t.images());
        assertEquals(3, t.flips());
        assertEquals(0.75, t.flipRate(), 1e-12);
        assertEquals(2, t.count(1, 0));
        assertEquals(0, t.count(0, 1));
        assertEquals(List.of(new ClassificationEffects.Transitions.Transition(1, 0, 2), new ClassificationEffects.Transitions.Transition(1, 1, 1),
                new ClassificationEffects.Transitions.Transition(2, 0, 1)), t.all());
        assertEquals("target class 3 is not among the head's 3 classes",
                assertThrows(IllegalArgumentException.class, () -> ClassificationEffects.deltaP(before, after, 3)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClassificationEffects.probabilities(new float[] {Float.NaN}));
    }

    @Test
    void doseGridParsesRangesAndLists() {
        assertArrayEquals(new double[] {-20, -10, -5, -2, -1, 0, 1, 2, 5, 10, 20}, DoseGrid.defaults().doses());
        assertArrayEquals(new double[] {-20, -15, -10, -5, 0, 5, 10, 15, 20}, DoseGrid.parse("-20:20:9", "--doses").doses());
        assertArrayEquals(new double[] {0, 0.5, 1}, DoseGrid.parse(" 0 : 1 : 3 ", "--doses").doses());
        assertArrayEquals(new double[] {-5, 0, 2.5, 1e3}, DoseGrid.parse("2.5, -5,0 ,1e3", "--doses").doses());
        assertEquals("-5,0,2.5,1000", DoseGrid.parse("2.5, -5,-0 ,1e3", "--doses").toString());
        assertEquals(DoseGrid.defaults().toString(), DoseGrid.parse(DoseGrid.defaults().toString(), "x").toString());
    }

    @Test
    void doseGridRefusesBadTextWithOneSentence() {
        assertEquals("--doses is '-20:20'; expected from:to:count with three parts, e.g. -20:20:9", error("-20:20"));
        assertEquals("--doses is '-20:20:x'; its count 'x' is not a whole number", error("-20:20:x"));
        assertEquals("--doses is '-20:20:1'; expected a count between 2 and 1001, got 1", error("-20:20:1"));
        assertEquals("--doses is '5:-5:3'; expected from below to, got from 5 and to -5", error("5:-5:3"));
        assertEquals("--doses is '1,two'; 'two' is not a finite decimal number", error("1,two"));
        assertEquals("--doses is '1,NaN'; 'NaN' is not a finite decimal number", error("1,NaN"));
        assertEquals("--doses is '1,,2'; '' is not a finite decimal number", error("1,,2"));
        assertEquals("--doses lists the dose 1 twice; expected distinct doses", error("1,2,1"));
        assertEquals("--doses is empty; expected doses as from:to:count (e.g. -20:20:9) or a list (e.g. -5,0,5)", error(" "));
        assertEquals("--doses is '0x10'; '0x10' is not a finite decimal number", error("0x10"));
        assertThrows(IllegalArgumentException.class, () -> DoseGrid.parse("0:1:100000", "--doses"));
        assertThrows(IllegalArgumentException.class, () -> DoseGrid.of(1, Double.POSITIVE_INFINITY));
    }

    private static String error(String text) {
        return assertThrows(IllegalArgumentException.class, () -> DoseGrid.parse(text, "--doses")).getMessage();
    }
}
