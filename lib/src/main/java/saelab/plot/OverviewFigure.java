package saelab.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import saelab.image.RgbImage;
import saelab.intervene.InterventionResult;
import saelab.io.AtomicFiles;
import saelab.io.CsvField;
import saelab.store.TokenLayout;

/**
 * The paper's Figure 1, the observation → explanation → experiment cycle on one example, as one figure at the paper's
 * full text width ({@link PaperStyle#DOUBLE_COLUMN}'s width, in points):
 * <ul>
 *   <li>a · observe: one held-out image as the model saw it, with one latent's code per patch over it;</li>
 *   <li>b · explain: that latent's top training images with their patch heatmaps (the tiles of a {@link LatentGridPlot},
 *       drawn smaller) and the concept the latent was matched to, with its score;</li>
 *   <li>c · test: the edit of that latent on the image beside its controls, as {@link EditComparisonFigure} draws them
 *       (scaled to the text width).</li>
 * </ul>
 * Panels a and b share one colour scale (0 to the top grid's {@link LatentGridPlot#scaleMax()}), so a patch of the held-out
 * image is as bright as a top-image patch of the same code. The PDF page is the design size in points; the PNG is drawn
 * at {@link PaperStyle#PNG_DPI} dpi of that size (as XChart's PNGs are), so both print at the same size. The CSV holds
 * every plotted number in one long table (panel, item, patch, quantity, value).
 */
public final class OverviewFigure {

    /**
     * Panel a.
     *
     * @param caption   the image in a few words, e.g. "held-out image 12, 00012.png" (drawn under the image)
     * @param view      the image as the model saw it ({@link ModelView})
     * @param latentMap the latent's code on each patch before any edit, raster order, one value per patch of the edits'
     *                  token layout
     */
    public record Observation(String caption, RgbImage view, float[] latentMap) {}

    /**
     * Panel b.
     *
     * @param latent  the latent
     * @param caption one line under the title, e.g. "matched to 'green': F1 0.86 (random latents 0.03)"
     * @param top     its top images with patch maps (at most {@link #MAX_TILES} are drawn)
     */
    public record Explanation(int latent, String caption, LatentGridPlot top) {}

    /** Top images drawn in panel b. */
    public static final int MAX_TILES = 12;

    private static final int WIDTH = PaperStyle.DOUBLE_COLUMN.width();
    private static final int PAD = 8;
    private static final int GAP = 6;
    private static final int HEAD = 11;
    private static final int TEXT = 10;
    private static final int OBSERVED = 176;
    private static final double ALPHA = 0.6;

    private final String title;
    private final Observation observation;
    private final Explanation explanation;
    private final String experiment;
    private final EditComparisonFigure edits;
    private final List<EditComparisonFigure.Panel> panels;
    private final TokenLayout layout;
    private final int tiles;
    private final int columns;
    private final int tile;
    private final double editScale;

    /**
     * @param title       the line above the panels
     * @param observation panel a
     * @param explanation panel b
     * @param experiment  one line under the title of panel c, e.g. "latent 163 set to -2 × max on its 9 green patches"
     * @param edits       panel c's edits of the observed image (the real edit first, then its controls)
     * @throws IllegalArgumentException when there is no edit, the latent has no top image, or the latent map does not fit
     *                                  the edits' patch grid
     */
    public OverviewFigure(String title, Observation observation, Explanation explanation, String experiment,
                          List<EditComparisonFigure.Panel> edits) {
        this.edits = new EditComparisonFigure(observation.view(), "the held-out image before and after", edits, 6);
        this.panels = List.copyOf(edits);
        this.layout = edits.getFirst().result().layout();
        if (observation.latentMap() == null || observation.latentMap().length != layout.patches()) {
            throw new IllegalArgumentException("the latent map holds " + (observation.latentMap() == null ? 0 : observation.latentMap().length)
                    + " values; expected one per patch of the edited image's " + layout.gridH() + " x " + layout.gridW() + " grid");
        }
        if (explanation.top().tiles().isEmpty()) {
            throw new IllegalArgumentException("latent " + explanation.latent() + " has no top image to show; expected a latent that fired"
                    + " in the analysis");
        }
        this.title = title;
        this.observation = observation;
        this.explanation = explanation;
        this.experiment = experiment;
        this.tiles = Math.min(MAX_TILES, explanation.top().tiles().size());
        this.columns = Math.max(1, (tiles + 1) / 2);
        int rows = (tiles + columns - 1) / columns;
        int across = WIDTH - 4 * PAD - OBSERVED;
        this.tile = Math.min((across - (columns - 1) * GAP) / columns, (OBSERVED - rows * (TEXT + 4) - (rows - 1) * GAP) / rows);
        this.editScale = Math.min(1.0, (WIDTH - 2.0 * PAD) / this.edits.width());
    }

    /** Canvas width in points: the paper's full text width ({@link PaperStyle#DOUBLE_COLUMN}). */
    public int width() {
        return WIDTH;
    }

    /** Canvas height in points. */
    public int height() {
        return editsTop() + (int) Math.ceil(edits.height() * editScale) + PAD;
    }

    private int rowTop() {
        return 2 * PAD + HEAD + 2;
    }

    private int imagesTop() {
        return rowTop() + HEAD + TEXT + 8;
    }

    private int editsTop() {
        return imagesTop() + OBSERVED + 2 * (TEXT + 6) + PAD + HEAD + 2 * (TEXT + 4) + 8;
    }

    /** The scale of panels a and b: the value drawn with the colormap's top colour. */
    public double scaleMax() {
        return explanation.top().scaleMax();
    }

    /** Draws the figure on a canvas of {@link #width()} × {@link #height()}. */
    public void paint(Graphics2D g) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width(), height());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, HEAD + 1));
        g.drawString(fit(title, g.getFontMetrics(), WIDTH - 2 * PAD), PAD, PAD + HEAD + 1);
        int xb = PAD + OBSERVED + 2 * PAD;
        header(g, PAD, rowTop(), OBSERVED, "a · observe", "the latent on one held-out image");
        header(g, xb, rowTop(), WIDTH - xb - PAD, "b · explain: latent " + explanation.latent() + "'s top training images",
                explanation.caption());
        int y = imagesTop();
        RgbImage v = observation.view();
        g.drawImage(HeatmapOverlay.render(v, v.width(), v.height(), observation.latentMap(), layout.gridH(), layout.gridW(), scaleMax(), ALPHA),
                PAD, y, OBSERVED, OBSERVED, null);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, TEXT));
        g.setColor(Color.BLACK);
        g.drawString(fit(String.format(Locale.ROOT, "%s: latent %d fires on %d of %d patches (max %.3g)", observation.caption(),
                explanation.latent(), firing(),
                observation.latentMap().length, max(observation.latentMap())), g.getFontMetrics(), WIDTH - 2 * PAD), PAD, y + OBSERVED + TEXT + 2);
        LatentGridPlot top = explanation.top();
        for (int i = 0; i < tiles; i++) {
            int x = xb + (i % columns) * (tile + GAP);
            int ty = y + (i / columns) * (tile + TEXT + 4 + GAP);
            g.drawImage(top.renderTile(i), x, ty, tile, tile, null);
            g.drawString(String.format(Locale.ROOT, "%.3g", top.tiles().get(i).value()), x, ty + tile + TEXT);
        }
        g.drawString(fit(String.format(Locale.ROOT, "heatmaps: latent %d's code per patch, viridis from 0 to %.3g (one scale for a and b),"
                + " opacity %.1f; numbers: the image's largest code", explanation.latent(), scaleMax(), ALPHA), g.getFontMetrics(),
                WIDTH - 2 * PAD), PAD, y + OBSERVED + 2 * (TEXT + 6));
        int yc = y + OBSERVED + 2 * (TEXT + 6) + PAD;
        header(g, PAD, yc, WIDTH - 2 * PAD, "c · test: the edit and the task output before and after", "");
        List<String> lines = wrap(experiment, g.getFontMetrics(), WIDTH - 2 * PAD, 2);
        for (int i = 0; i < lines.size(); i++) {
            g.drawString(lines.get(i), PAD, yc + HEAD + (i + 1) * (TEXT + 4));
        }
        AffineTransform saved = g.getTransform();
        g.translate(PAD, editsTop());
        g.scale(editScale, editScale);
        edits.paint(g);
        g.setTransform(saved);
    }

    private static void header(Graphics2D g, int x, int y, int width, String bold, String plain) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, HEAD));
        g.drawString(fit(bold, g.getFontMetrics(), width), x, y + HEAD);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, TEXT));
        g.drawString(fit(plain, g.getFontMetrics(), width), x, y + HEAD + TEXT + 4);
    }

    /** Patches of the observed image where the latent fires (code above 0). */
    public int firing() {
        int n = 0;
        for (float f : observation.latentMap()) {
            n += f > 0 ? 1 : 0;
        }
        return n;
    }

    private static float max(float[] v) {
        float m = 0;
        for (float f : v) {
            m = Math.max(m, f);
        }
        return m;
    }

    /** The text broken at spaces into at most {@code lines} lines of {@code width}, the last cut with an ellipsis if need be. */
    static List<String> wrap(String s, FontMetrics fm, int width, int lines) {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder line = new StringBuilder();
        String[] words = s == null ? new String[0] : s.strip().split(" +");
        int w = 0;
        for (; w < words.length && out.size() < lines - 1; w++) {
            String longer = line.isEmpty() ? words[w] : line + " " + words[w];
            if (fm.stringWidth(longer) > width && !line.isEmpty()) {
                out.add(fit(line.toString(), fm, width));
                line.setLength(0);
                w--; // the word starts the next line
            } else {
                line.setLength(0);
                line.append(longer);
            }
        }
        for (; w < words.length; w++) {
            line.append(line.isEmpty() ? "" : " ").append(words[w]);
        }
        out.add(fit(line.toString(), fm, width));
        return out;
    }

    /** The text cut at the end with an ellipsis to fit {@code width}. */
    private static String fit(String s, FontMetrics fm, int width) {
        if (s == null) {
            return "";
        }
        if (fm.stringWidth(s) <= width) {
            return s;
        }
        String t = s;
        while (!t.isEmpty() && fm.stringWidth(t + "…") > width) {
            t = t.substring(0, t.length() - 1);
        }
        return t + "…";
    }

    /** The figure at its design size, one pixel per point (what a notebook shows inline). */
    public BufferedImage render() {
        return RasterFigures.render(width(), height(), this::paint);
    }

    /**
     * Every plotted number, one row each: panel a's code per patch of the held-out image, panel b's code per patch of each
     * top image drawn, panel c's patches (segmentation) or probability (image heads) per class before and after each edit.
     */
    public String csv() {
        StringBuilder sb = new StringBuilder("panel,item,patch,patch_row,patch_col,quantity,value\n");
        String latent = "latent " + explanation.latent();
        float[] a = observation.latentMap();
        for (int p = 0; p < a.length; p++) {
            row(sb, "a", "held-out image", p, latent, Float.toString(a[p]));
        }
        LatentGridPlot top = explanation.top();
        for (int i = 0; i < tiles; i++) {
            LatentGridPlot.Tile t = top.tiles().get(i);
            String item = "top " + (t.rank() + 1) + ": " + (t.path().isEmpty() ? "image " + t.image() : t.path());
            for (int p = 0; p < t.map().length; p++) {
                row(sb, "b", item, p, latent, Float.toString(t.map()[p]));
            }
        }
        InterventionResult first = panels.getFirst().result();
        boolean segment = first.before().kind() == saelab.heads.HeadKind.SEGMENT;
        for (int c = 0; c < first.classes().size(); c++) {
            String name = first.classes().get(c);
            if (segment) {
                row(sb, "c", name, -1, "patches before", Long.toString(first.before().classCounts()[c]));
                for (EditComparisonFigure.Panel panel : panels) {
                    row(sb, "c", name, -1, "patches after " + panel.caption(), Long.toString(panel.result().after().classCounts()[c]));
                }
            } else {
                row(sb, "c", name, -1, "probability before", String.format(Locale.ROOT, "%.6f", first.before().probability(c)));
                for (EditComparisonFigure.Panel panel : panels) {
                    row(sb, "c", name, -1, "probability after " + panel.caption(),
                            String.format(Locale.ROOT, "%.6f", panel.result().after().probability(c)));
                }
            }
        }
        return sb.toString();
    }

    private void row(StringBuilder sb, String panel, String item, int patch, String quantity, String value) {
        sb.append(panel).append(',').append(CsvField.of(item)).append(',');
        if (patch >= 0) {
            sb.append(patch).append(',').append(patch / layout.gridW()).append(',').append(patch % layout.gridW());
        } else {
            sb.append(",,");
        }
        sb.append(',').append(CsvField.of(quantity)).append(',').append(value).append('\n');
    }

    /**
     * Writes {@code <id>.png} ({@link PaperStyle#PNG_DPI} dpi of the design size), {@code <id>.pdf} (vector, the design size
     * in points) and {@code <id>.csv} into {@code dir}, each atomically.
     *
     * @return the three files
     */
    public List<Path> write(Path dir, String id) throws IOException {
        Files.createDirectories(dir);
        Path png = dir.resolve(id + ".png");
        Path pdf = dir.resolve(id + ".pdf");
        Path csv = dir.resolve(id + ".csv");
        RasterFigures.writePrintPng(png, width(), height(), this::paint);
        RasterFigures.writePdf(pdf, width(), height(), this::paint);
        AtomicFiles.writeString(csv, csv());
        return List.of(png, pdf, csv);
    }
}
