package saelab.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Label entropy (nats) and purity of hand-made top lists. */
class LabelStatisticsTest {

    static final int K = 4;

    @Test
    void entropyAndPurity() {
        // row 0: four images of label 2 -> H = 0, purity 1
        // row 1: four images of labels 0,1,2,3 with equal values -> H = ln 4
        // row 2: values 3,1 on labels 5,6 -> p = (3/4, 1/4)
        // row 3: never fires -> NaN
        float[] v = {4, 3, 2, 1, 2, 2, 2, 2, 3, 1, -1, -1, -1, -1, -1, -1};
        int[] im = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1, -1, -1, -1, -1};
        int[] pa = new int[16];
        java.util.Arrays.fill(pa, -1);
        int[] label = {2, 2, 2, 2, 0, 1, 2, 3, 5, 6};
        LabelStatistics s = LabelStatistics.of(new int[] {10, 11, 12, 13}, K, new TopKLists.Sorted(v, im, pa),
                (img, p) -> label[img]);
        assertEquals(0.0, s.entropy()[0], 1e-12);
        assertEquals(1.0, s.purity()[0], 1e-12);
        assertEquals(2, s.topLabel()[0]);
        assertEquals(Math.log(4), s.entropy()[1], 1e-12);
        assertEquals(0.25, s.purity()[1], 1e-12);
        assertEquals(0, s.topLabel()[1], "ties: the lower label");
        assertEquals(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)), s.entropy()[2], 1e-12);
        assertEquals(0.75, s.purity()[2], 1e-12);
        assertEquals(5, s.topLabel()[2]);
        assertTrue(Double.isNaN(s.entropy()[3]));
        assertEquals(-1, s.topLabel()[3]);
        assertEquals(2, s.labelled()[2]);
    }

    @Test
    void unlabelledExamplesAreLeftOut() {
        float[] v = {5, 1};
        int[] im = {0, 1};
        int[] pa = {3, 7};
        LabelStatistics s = LabelStatistics.of(new int[] {0}, 2, new TopKLists.Sorted(v, im, pa), (img, p) -> p == 3 ? -1 : 4);
        assertEquals(0.0, s.entropy()[0], 1e-12);
        assertEquals(4, s.topLabel()[0]);
        assertEquals(1, s.labelled()[0]);
    }

    @Test
    void wrongShapeIsNamed() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> LabelStatistics.of(new int[] {0, 1}, 3, new TopKLists.Sorted(new float[3], new int[3], new int[3]), (a, b) -> 0));
        assertTrue(e.getMessage().contains("rows x k"), e.getMessage());
    }
}
