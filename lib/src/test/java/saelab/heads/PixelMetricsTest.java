package saelab.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import saelab.data.CropRounding;
import saelab.data.LabelMap;
import saelab.data.PixelLabels;
import saelab.data.ResizeCropGeometry;

/**
 * Per-pixel mIoU and pixel accuracy of a known prediction (a 2 x 2 logit grid upsampled to 4 x 4) against a known label
 * map (12 x 12, resized and cropped to the same 4 x 4), every figure worked out by hand below.
 */
class PixelMetricsTest {

    /** The label map after the geometry (0 = background). */
    private static final int[][] TRUTH = {
        {1, 2, 2, 2},
        {1, 1, 2, 0},
        {1, 1, 2, 2},
        {0, 2, 1, 2},
    };

    @Test
    void pixelFiguresEqualTheHandComputedOnes() {
        // the 12x12 map: (3 + 2y, 3 + 2x) holds TRUTH[y][x] (what short edge 6 and a 4x4 centre crop read, see
        // PixelLabelsTest); every other pixel holds a decoy label that a wrong sampler would pick up
        int[] v = new int[144];
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 12; x++) {
                v[y * 12 + x] = (TRUTH[Math.min(Math.max((y - 3) / 2, 0), 3)][Math.min(Math.max((x - 3) / 2, 0), 3)] + 1) % 3;
            }
        }
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                v[(3 + 2 * y) * 12 + 3 + 2 * x] = TRUTH[y][x];
            }
        }
        PixelLabels truth = PixelLabels.of(LabelMap.of(12, 12, v), ResizeCropGeometry.shortEdge(6, 4, CropRounding.FLOOR));

        // logits [2, 2, 3]: class 0 is -2 on the top patch row and 3 on the bottom one, class 1 is 1 on the left patch
        // column and -1 on the right one, class 2 the opposite. Upsampled (fractions 0, 0.25, 0.75, 1 on each axis):
        // class 0 by row -2, -0.75, 1.75, 3; class 1 by column 1, 0.5, -0.5, -1; class 2 by column -1, -0.5, 0.5, 1.
        // Rows 0-1: class 1 on the left half, class 2 on the right; rows 2-3: class 0 everywhere.
        int[] pred;
        try (NDManager nd = NDManager.newBaseManager()) {
            float[] g = {-2, 1, -1, -2, -1, 1, 3, 1, -1, 3, -1, 1};
            pred = PixelPredictions.classes(nd.create(g, new Shape(2, 2, 3)), 4, 4);
        }
        assertArrayEquals(new int[] {1, 1, 2, 2, 1, 1, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0}, pred);

        SegmentationMetrics m = new SegmentationMetrics(List.of("background", "one", "two"), 0, SegmentationMetrics.Resolution.PIXEL);
        m.add(truth.labels(), pred, pred.length);
        // background ignored (2 pixels), 14 labelled.
        // class 1: truth 6 pixels, 3 predicted 1; 4 labelled pixels predicted 1 -> IoU 3 / (6 + 4 - 3) = 3/7
        // class 2: truth 8 pixels, 3 predicted 2; 3 labelled pixels predicted 2 -> IoU 3 / (8 + 3 - 3) = 3/8
        // mIoU (3/7 + 3/8) / 2 = 45/112; pixel accuracy 6/14; mean class accuracy (3/6 + 3/8) / 2 = 7/16
        assertEquals(3.0 / 7, m.iou(1), 1e-12);
        assertEquals(3.0 / 8, m.iou(2), 1e-12);
        assertEquals(45.0 / 112, m.meanIou(), 1e-12);
        assertEquals(6.0 / 14, m.accuracy(), 1e-12);
        ObjectNode j = m.toJson();
        assertEquals("pixel", j.get("resolution").asText());
        assertEquals(45.0 / 112, j.get("miou").asDouble(), 1e-12);
        assertEquals(6.0 / 14, j.get("pixel_accuracy").asDouble(), 1e-12);
        assertEquals(7.0 / 16, j.get("mean_class_accuracy").asDouble(), 1e-12);
        // every pixel scored: class 0 truth 2, 1 hit, predicted 8 times -> 1/9; class 1 3/7; class 2 truth 8, 3 hits,
        // predicted 4 times -> 3/9. mIoU (1/9 + 3/7 + 1/3) / 3 = 55/189; accuracy 7/16
        assertEquals(55.0 / 189, j.get("miou_with_background").asDouble(), 1e-12);
        assertEquals(7.0 / 16, j.get("pixel_accuracy_with_background").asDouble(), 1e-12);
        assertEquals(16, j.get("pixels").asLong());
        assertEquals("class,name,iou,accuracy,truth_pixels,predicted_pixels\n"
                + "0,background,0.000000,,0,7\n" // background truth ignored; 7 labelled pixels predicted background
                + "1,one,0.428571,0.500000,6,4\n"
                + "2,two,0.375000,0.375000,8,3\n", m.perClassCsv());

        // beside the same head's per-patch figures, one table: pixel columns, then the patch ones prefixed
        SegmentationMetrics patch = new SegmentationMetrics(List.of("background", "one", "two"), 0);
        patch.add(new int[] {1, 2}, new int[] {1, 1}, 2);
        assertEquals("class,name,iou,accuracy,truth_pixels,predicted_pixels,patch_iou,patch_accuracy,truth_patches,predicted_patches\n"
                + "0,background,0.000000,,0,7,,,0,0\n"
                + "1,one,0.428571,0.500000,6,4,0.500000,1.000000,1,2\n"
                + "2,two,0.375000,0.375000,8,3,0.000000,0.000000,1,0\n", SegmentationMetrics.perClassCsv(m, patch));
    }
}
