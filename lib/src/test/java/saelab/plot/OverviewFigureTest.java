package saelab.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import saelab.heads.HeadKind;
import saelab.image.RgbImage;
import saelab.intervene.InterventionResult;
import saelab.intervene.Prediction;
import saelab.store.TokenLayout;

/**
 * {@link OverviewFigure} on a 2 × 2 patch grid: the figure is the text width, panel a colours exactly the patches where the
 * latent fires, panel b draws the top tiles, panel c the edits; the CSV holds every plotted number; the PNG is drawn at
 * 300 dpi of the design size; a latent map of the wrong size, a latent without top images or no edit is one sentence.
 */
class OverviewFigureTest {

    private static final TokenLayout GRID = new TokenLayout(true, 0, 2, 2);
    private static final List<String> NAMES = List.of("background", "red", "green");

    @TempDir
    Path tmp;

    private static Prediction mask(int... mask) {
        float[] logits = new float[mask.length * 3];
        for (int p = 0; p < mask.length; p++) {
            logits[p * 3 + mask[p]] = 5f;
        }
        return Prediction.of(HeadKind.SEGMENT, 3, logits);
    }

    private static RgbImage grey() {
        byte[] px = new byte[16 * 16 * 3];
        Arrays.fill(px, (byte) 128);
        return new RgbImage(16, 16, px);
    }

    private static LatentGridPlot top(int tiles) {
        List<LatentGridPlot.Tile> t = new java.util.ArrayList<>();
        for (int i = 0; i < tiles; i++) {
            t.add(new LatentGridPlot.Tile(i, 10 + i, 10 + i, "images/" + i + ".png", -1, "", 4f - i, new float[] {4f - i, 0, 0, 0}, grey()));
        }
        return new LatentGridPlot("latent 7", t, 2, 2, 4.0, 0.6, 4);
    }

    private static List<EditComparisonFigure.Panel> edits() {
        Prediction before = mask(0, 1, 1, 2);
        var real = new InterventionResult(null, null, null, 1, NAMES, GRID, before, mask(0, 0, 0, 2), new float[5],
                new boolean[] {false, false, true, true, false});
        var random = new InterventionResult(null, null, null, 1, NAMES, GRID, before, mask(0, 1, 1, 2), new float[5],
                new boolean[] {false, false, true, true, false});
        return List.of(new EditComparisonFigure.Panel("real edit", real), new EditComparisonFigure.Panel("random direction", random));
    }

    private static OverviewFigure figure(float[] map, int tiles) {
        return new OverviewFigure("Figure 1", new OverviewFigure.Observation("held-out image 0, a.png", grey(), map),
                new OverviewFigure.Explanation(7, "matched to 'red': F1 0.9", top(tiles)), "latent 7 (red) ablated on 2 patches", edits());
    }

    @Test
    void theFigureIsTheTextWidthAndColoursOnlyTheFiringPatchesOfPanelA() {
        OverviewFigure f = figure(new float[] {0, 4f, 0, 0}, 3);
        assertEquals(PaperStyle.DOUBLE_COLUMN.width(), f.width());
        assertEquals(1, f.firing());
        BufferedImage img = f.render();
        assertEquals(f.height(), img.getHeight());
        // panel a: 176 pt from x = 8, starting below the title and the two header lines; patch 1 is the top-right quarter
        int y = 2 * 8 + 11 + 2 + 11 + 10 + 8;
        int grey = 0x808080;
        assertEquals(grey, img.getRGB(8 + 176 / 4, y + 176 / 4) & 0xFFFFFF, "patch 0: the latent is 0, the image shows");
        int fired = HeatmapOverlay.blend(Colormaps.viridisRgb(1.0), grey, 0.6);
        assertEquals(fired, img.getRGB(8 + 3 * 176 / 4, y + 176 / 4) & 0xFFFFFF, "patch 1: the top colour of the shared scale");
        // panel b: the first tile's patch 0 fires at the scale's top
        int xb = 8 + 176 + 16;
        assertEquals(fired, img.getRGB(xb + 2, y + 2) & 0xFFFFFF);
        // panel c: the edits are drawn below (something other than white across their row)
        int yc = img.getHeight() - 60;
        boolean drawn = false;
        for (int x = 0; x < img.getWidth() && !drawn; x++) {
            drawn = (img.getRGB(x, yc - 100) & 0xFFFFFF) != 0xFFFFFF;
        }
        assertTrue(drawn, "panel c is drawn");
    }

    @Test
    void theCsvHoldsEveryPlottedNumber() {
        String[] lines = figure(new float[] {0, 4f, 0, 0}, 3).csv().split("\n");
        assertEquals("panel,item,patch,patch_row,patch_col,quantity,value", lines[0]);
        assertEquals("a,held-out image,1,0,1,latent 7,4.0", lines[2]);
        assertEquals(1 + 4 + 3 * 4 + 3 * 3, lines.length, "4 patches of a, 4 per top tile of b, 3 classes x (before + 2 edits) of c");
        assertEquals("b,top 2: images/1.png,0,0,0,latent 7,3.0", lines[1 + 4 + 4]);
        assertTrue(Arrays.asList(lines).contains("c,red,,,,patches after real edit,0"));
        assertTrue(Arrays.asList(lines).contains("c,red,,,,patches after random direction,2"));
    }

    @Test
    void writesThePngAt300DpiOfTheDesignSizeBesideThePdfAndCsv() throws IOException {
        OverviewFigure f = figure(new float[] {0, 4f, 0, 0}, 2);
        List<Path> files = f.write(tmp, "s01-overview");
        assertEquals(List.of(tmp.resolve("s01-overview.png"), tmp.resolve("s01-overview.pdf"), tmp.resolve("s01-overview.csv")), files);
        BufferedImage png = ImageIO.read(files.getFirst().toFile());
        assertEquals(Math.round(f.width() * 300 / 72.0), png.getWidth());
        assertEquals(Math.round(f.height() * 300 / 72.0), png.getHeight());
        assertTrue(Files.readString(files.get(1), java.nio.charset.StandardCharsets.ISO_8859_1).startsWith("%PDF"));
        assertEquals(f.csv(), Files.readString(files.get(2)));
    }

    @Test
    void badInputsAreOneSentence() {
        var e = assertThrows(IllegalArgumentException.class, () -> figure(new float[] {1, 2, 3}, 2));
        assertEquals("the latent map holds 3 values; expected one per patch of the edited image's 2 x 2 grid", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> figure(new float[4], 0));
        assertEquals("latent 7 has no top image to show; expected a latent that fired in the analysis", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new OverviewFigure("t", new OverviewFigure.Observation("x", grey(), new float[4]),
                new OverviewFigure.Explanation(7, "", top(1)), "", List.of()));
        assertEquals("an edit comparison needs at least one edit", e.getMessage());
    }

    @Test
    void aLongLineWrapsAtSpacesAndTheLastLineIsCut() {
        FontMetrics fm = RasterFigures.render(1, 1, g -> { }).createGraphics().getFontMetrics(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        String text = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen";
        List<String> lines = OverviewFigure.wrap(text, fm, fm.stringWidth("one two three four five"), 2);
        assertEquals(2, lines.size());
        assertEquals("one two three four five", lines.get(0));
        assertTrue(lines.get(1).startsWith("six seven") && lines.get(1).endsWith("…"), lines.get(1));
        assertEquals(List.of("short"), OverviewFigure.wrap("short", fm, 200, 2));
        assertNotEquals(0, lines.get(1).length());
    }
}
