package saelab.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;
import saelab.heads.HeadKind;
import saelab.image.RgbImage;
import saelab.intervene.InterventionResult;
import saelab.intervene.Prediction;
import saelab.store.TokenLayout;

/**
 * {@link EditComparisonFigure}: a segmentation comparison draws a panel per edit with its changed patches outlined and
 * writes each edit's patch counts; an image-head comparison writes each edit's probabilities; edits of different clean
 * predictions are refused in one sentence.
 */
class EditComparisonFigureTest {

    private static final TokenLayout GRID = new TokenLayout(true, 0, 2, 2);
    private static final List<String> NAMES = List.of("background", "red", "green");

    /** Per-patch logits [4 patches, 3 classes] whose best class is mask[p]. */
    private static Prediction mask(int... mask) {
        float[] logits = new float[mask.length * 3];
        for (int p = 0; p < mask.length; p++) {
            logits[p * 3 + mask[p]] = 5f;
        }
        return Prediction.of(HeadKind.SEGMENT, 3, logits);
    }

    private static InterventionResult result(Prediction before, Prediction after, boolean... edited) {
        return new InterventionResult(null, null, null, 1, NAMES, GRID, before, after, new float[5], edited);
    }

    private static RgbImage grey() {
        byte[] px = new byte[16 * 16 * 3];
        java.util.Arrays.fill(px, (byte) 128);
        return new RgbImage(16, 16, px);
    }

    @Test
    void segmentationPanelsOutlineTheChangedPatchesAndTheCsvCountsPatchesPerEdit() {
        Prediction before = mask(0, 1, 1, 2);
        InterventionResult real = result(before, mask(0, 0, 0, 2), false, false, true, true, false);
        InterventionResult random = result(before, mask(0, 1, 1, 2), false, false, true, true, false);
        EditComparisonFigure f = new EditComparisonFigure(grey(), "red suppressed",
                List.of(new EditComparisonFigure.Panel("real edit", real), new EditComparisonFigure.Panel("random direction", random)), 3);
        assertEquals("""
                class,name,patches_before,patches_after real edit,patches_after random direction
                0,background,1,3,1
                1,red,2,0,2
                2,green,1,1,1
                """, f.csv());
        BufferedImage img = RasterFigures.render(f.width(), f.height(), f::paint);
        assertEquals(8 + 4 * (200 + 8), img.getWidth());
        // the real edit's panel outlines its changed patches in black; the random one changed nothing, so no outline there
        int y0 = 2 * 8 + 12 + 12 + 4;
        int realX = 8 + 2 * (200 + 8);
        int randomX = 8 + 3 * (200 + 8);
        assertEquals(0x000000, img.getRGB(realX + 150, y0) & 0xFFFFFF, "top edge of patch 1's outline");
        assertNotEquals(0x000000, img.getRGB(randomX + 150, y0) & 0xFFFFFF);
    }

    @Test
    void imageHeadCsvHoldsEachEditsProbabilities() {
        Prediction before = Prediction.of(HeadKind.CLASSIFY, 3, new float[] {0f, 3f, 0f});
        InterventionResult real = new InterventionResult(null, null, null, 1, NAMES, GRID, before,
                Prediction.of(HeadKind.CLASSIFY, 3, new float[] {0f, 0f, 3f}), new float[5], new boolean[5]);
        EditComparisonFigure f = new EditComparisonFigure(grey(), "t", List.of(new EditComparisonFigure.Panel("real edit", real)), 1);
        String[] lines = f.csv().split("\n");
        assertEquals("class,name,probability_before,probability_after real edit", lines[0]);
        assertEquals(3, lines.length, "top-1 before (red) and after (green)");
        assertEquals("1,red," + String.format(java.util.Locale.ROOT, "%.6f,%.6f", before.probability(1), real.after().probability(1)), lines[1]);
        BufferedImage img = RasterFigures.render(f.width(), f.height(), f::paint);
        assertEquals(f.height(), img.getHeight());
    }

    @Test
    void editsOfAnotherCleanPredictionAreRefused() {
        InterventionResult a = result(mask(0, 1, 1, 2), mask(0, 1, 1, 2), new boolean[5]);
        InterventionResult b = result(mask(1, 1, 1, 2), mask(0, 1, 1, 2), new boolean[5]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new EditComparisonFigure(grey(), "t",
                List.of(new EditComparisonFigure.Panel("a", a), new EditComparisonFigure.Panel("b", b)), 3));
        assertEquals("the edit 'b' starts from another clean prediction; an edit comparison draws edits of one image under one head", e.getMessage());
        assertEquals("an edit comparison needs at least one edit",
                assertThrows(IllegalArgumentException.class, () -> new EditComparisonFigure(grey(), "t", List.of(), 3)).getMessage());
    }
}
